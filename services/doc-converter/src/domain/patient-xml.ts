import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** A patient XML file we refuse, with the position of the problem when there is one. */
export class IntakeRejection extends Error {
  override name = 'IntakeRejection';
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(line ? `${message} (line ${line}, column ${column})` : message);
  }
}

export interface Repair {
  line: number;
  column: number;
  what: string;
}

export interface ParsedImage {
  /** Unique within the file, after renaming duplicates. */
  name: string;
  originalName: string;
  mediaType: string;
  bytes: Uint8Array;
}

export interface ParsedDossier {
  centre: { id: string; name?: string };
  patient: {
    id: string;
    alaxioneId?: string;
    lastName: string;
    firstName: string;
    birthDate: string;
    sex?: string;
  };
  consultation: { date: string; orthoptist?: string; reason?: string; conclusion?: string };
  images: ParsedImage[];
  repairs: Repair[];
}

function position(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < index; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: index - lineStart + 1 };
}

/**
 * Refuses DTDs (entity expansion, external entities) and escapes bare `&`. Ophtix writes free
 * text such as "conclusion: OD & OG" without escaping; the seed's operators fixed these files
 * by hand. We repair instead, since the meaning is unambiguous, and keep every repair with its
 * line and column so that the source can be fixed.
 */
export function preparePatientXml(text: string): { xml: string; repairs: Repair[] } {
  const dtd = /<!(DOCTYPE|ENTITY)/i.exec(text);
  if (dtd) {
    const at = position(text, dtd.index);
    throw new IntakeRejection(
      'DTD and entity declarations are refused (entity expansion and external entities)',
      at.line,
      at.column,
    );
  }
  const repairs: Repair[] = [];
  const xml = text.replace(
    /&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});)/g,
    (_m, offset: number) => {
      repairs.push({ ...position(text, offset), what: 'bare "&" escaped as "&amp;"' });
      return '&amp;';
    },
  );
  return { xml, repairs };
}

/** `image.jpg`, `image.jpg` -> `image.jpg`, `image-2.jpg`; never collides with a later real name. */
export function dedupeImageNames(names: string[]): string[] {
  const taken = new Set(names.map((n) => n.toLowerCase()));
  const seen = new Set<string>();
  return names.map((name) => {
    const key = name.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      return name;
    }
    const dot = name.lastIndexOf('.');
    const stem = dot > 0 ? name.slice(0, dot) : name;
    const ext = dot > 0 ? name.slice(dot) : '';
    for (let n = 2; ; n++) {
      const candidate = `${stem}-${n}${ext}`;
      if (!taken.has(candidate.toLowerCase()) && !seen.has(candidate.toLowerCase())) {
        seen.add(candidate.toLowerCase());
        return candidate;
      }
    }
  });
}

const IMAGE_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  pdf: 'application/pdf',
};

type Node = Record<string, unknown>;
const text = (value: unknown): string | undefined => {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object') {
    const inner = (value as Node)['#text'];
    return inner === undefined ? undefined : String(inner);
  }
  return String(value);
};

/** Parses the TCS patient export (format in the README); every missing field is named. */
export function parsePatientXml(source: string): ParsedDossier {
  const { xml, repairs } = preparePatientXml(source);
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new IntakeRejection(`malformed XML: ${valid.err.msg}`, valid.err.line, valid.err.col);
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    processEntities: true,
    htmlEntities: false,
    isArray: (name) => name === 'image',
  });
  const root = (parser.parse(xml) as Node).dossierTCS as Node | undefined;
  if (!root || typeof root !== 'object') throw new IntakeRejection('root element must be <dossierTCS>');
  const need = (node: Node | undefined, key: string, where: string): string => {
    const value = text(node?.[key])?.trim();
    if (!value) throw new IntakeRejection(`missing ${where}/${key.replace(/^@/, '@')}`);
    return value;
  };
  const centre = root.centre as Node | undefined;
  const patient = root.patient as Node | undefined;
  const consultation = root.consultation as Node | undefined;
  const birthDate = need(patient, 'dateNaissance', 'patient');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(birthDate))
    throw new IntakeRejection('patient/dateNaissance must be YYYY-MM-DD');
  const rawImages = ((root.images as Node | undefined)?.image as Node[] | undefined) ?? [];
  const names = rawImages.map((img, i) => {
    const name = text(img['@nom'])?.trim();
    if (!name) throw new IntakeRejection(`images/image[${i + 1}] has no @nom`);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we refuse
    if (!/^[^/\\\u0000-\u001f]{1,120}$/.test(name) || name.includes('..')) {
      throw new IntakeRejection(`images/image[${i + 1}] has an unsafe name`);
    }
    return name;
  });
  const unique = dedupeImageNames(names);
  const images = rawImages.map((img, i): ParsedImage => {
    const originalName = names[i] as string;
    const ext = originalName.split('.').pop()?.toLowerCase() ?? '';
    const mediaType = text(img['@type']) ?? IMAGE_TYPES[ext];
    if (!mediaType) throw new IntakeRejection(`images/image[${i + 1}] has no @type and an unknown extension`);
    const base64 = (text(img) ?? '').replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]+=*$/.test(base64))
      throw new IntakeRejection(`images/image[${i + 1}] content is not base64`);
    return {
      name: unique[i] as string,
      originalName,
      mediaType,
      bytes: new Uint8Array(Buffer.from(base64, 'base64')),
    };
  });
  const optional = (node: Node | undefined, key: string) => text(node?.[key])?.trim() || undefined;
  const dossier: ParsedDossier = {
    centre: { id: need(centre, '@numero', 'centre') },
    patient: {
      id: need(patient, 'id', 'patient'),
      lastName: need(patient, 'nom', 'patient'),
      firstName: need(patient, 'prenom', 'patient'),
      birthDate,
    },
    consultation: { date: need(consultation, '@date', 'consultation') },
    images,
    repairs,
  };
  const centreName = optional(centre, '@nom');
  if (centreName) dossier.centre.name = centreName;
  const alaxione = optional(patient, 'idAlaxione');
  if (alaxione) dossier.patient.alaxioneId = alaxione;
  const sex = optional(patient, 'sexe');
  if (sex) dossier.patient.sex = sex;
  for (const [key, field] of [
    ['@orthoptiste', 'orthoptist'],
    ['motif', 'reason'],
    ['conclusion', 'conclusion'],
  ] as const) {
    const value = optional(consultation, key);
    if (value) dossier.consultation[field] = value;
  }
  return dossier;
}
