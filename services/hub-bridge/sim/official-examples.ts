import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { HUB_SANTE_DIR, officialValidator } from '../src/adapters/schemas.ts';
import { typeByName } from '../src/domain/message-types.ts';
import { xmlContentToObject } from '../src/domain/xml.ts';

export interface Example {
  /** `<TYPE>/<file>` under `hub-sante/examples`. */
  file: string;
  type: string;
  format: 'json' | 'xml';
  /** The object under the type's root key. */
  content: Record<string, unknown>;
}

/** Every official example content, JSON and XML, with its type (the folder name). */
export function officialExamples(): Example[] {
  const dir = `${HUB_SANTE_DIR}/examples`;
  const examples: Example[] = [];
  for (const folder of readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    const type = typeByName(folder.name);
    if (!type) throw new Error(`example folder ${folder.name} is not a known type`);
    for (const file of readdirSync(`${dir}/${folder.name}`).sort()) {
      const path = `${dir}/${folder.name}/${file}`;
      const format = file.endsWith('.xml') ? 'xml' : 'json';
      const text = readFileSync(path, 'utf8');
      const body = format === 'xml' ? xmlContentToObject(text, officialValidator()) : JSON.parse(text);
      examples.push({ file: `${folder.name}/${file}`, type: type.type, format, content: body[type.rootKey] });
    }
  }
  return examples;
}

/** What `examples/messagesList.json` says of an example: its case name and situation. */
export interface ExampleDescription {
  name?: string;
  victim?: string;
  medicalSituation?: string;
}

/** The descriptions of `messagesList.json`, by example file (`<TYPE>/<file>`). */
export function exampleDescriptions(): Map<string, ExampleDescription> {
  const path = `${HUB_SANTE_DIR}/examples/messagesList.json`;
  const descriptions = new Map<string, ExampleDescription>();
  if (!existsSync(path)) return descriptions;
  const list = JSON.parse(readFileSync(path, 'utf8')) as {
    examples?: (ExampleDescription & { file?: string })[];
  }[];
  for (const group of list)
    for (const example of group.examples ?? []) if (example.file) descriptions.set(example.file, example);
  return descriptions;
}
