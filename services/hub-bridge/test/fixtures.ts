import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { type Example, officialExamples } from '../sim/official-examples.ts';
import { HUB_SANTE_DIR, officialValidator } from '../src/adapters/schemas.ts';
import { summarize } from '../src/domain/envelope.ts';
import { typeByName } from '../src/domain/message-types.ts';
import { xmlContentToObject } from '../src/domain/xml.ts';

/** The official Hub Santé data, shipped with the service (`hub-sante/`). */
export { type Example, HUB_SANTE_DIR, officialExamples };

export function allFixtureFiles(): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(`${d}/${e.name}`);
      else if (/\.(json|xml)$/.test(e.name) && e.name !== 'messagesList.json') out.push(`${d}/${e.name}`);
    }
  };
  walk(`${HUB_SANTE_DIR}/examples`);
  walk(`${HUB_SANTE_DIR}/valid`);
  return out.sort();
}

/**
 * Two official `valid/` XML files predate the current models: RS-EDA.xml has `referenceVersion`,
 * `newAlert` and older enumerations, EDXL-DE.xml a `technicalNoreq/key`, none of which the JSON
 * Schemas or the XSDs at the same commit define. They are refused, naming the field.
 */
export const STALE_FIXTURES = new Map([
  ['valid/RS-EDA/RS-EDA.xml', 'createCaseHealth/referenceVersion is not allowed'],
  ['valid/EDXL-DE/EDXL-DE.xml', 'technicalNoreq/key is not allowed'],
]);

/** A fixture file in the JSON object shape (XML converted through the schemas). */
export function readFixture(path: string): Record<string, unknown> {
  const text = readFileSync(path, 'utf8');
  return path.endsWith('.xml') ? xmlContentToObject(text, officialValidator()) : JSON.parse(text);
}

/**
 * The business content of every official `valid/` message the current schemas accept: the
 * first content object of a full EDXL-DE message, or a root-less TECHNICAL content (its folder
 * names the type).
 */
export function officialValidMessages(): Example[] {
  return allFixtureFiles()
    .filter((path) => path.includes('/valid/'))
    .map((path) => ({ path, file: path.split('/hub-sante/')[1] as string }))
    .filter(({ file }) => !STALE_FIXTURES.has(file))
    .map(({ path, file }) => {
      const body = readFixture(path);
      const format = path.endsWith('.xml') ? ('xml' as const) : ('json' as const);
      if ('distributionID' in body) {
        const summary = summarize(body);
        if (!summary.type) throw new Error(`${file}: no known content`);
        return { file, type: summary.type.type, format, content: summary.content as Record<string, unknown> };
      }
      const type = typeByName(basename(dirname(path)));
      if (!type) throw new Error(`${file}: no type for a root-less content`);
      const content = (type.rootKey in body ? body[type.rootKey] : body) as Record<string, unknown>;
      return { file, type: type.type, format, content };
    });
}
