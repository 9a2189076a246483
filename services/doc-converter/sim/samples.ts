import type { GeneratedDocument } from '@hip/shared/schemas';
import { encodePng } from './png-encoder.ts';
import { sampleSourcePdf } from './sample-assets.ts';

const b64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64');

export interface SampleDoctor {
  id: string;
  login: string;
  name: string;
  centre: { name: string; address: string; phone: string };
  /** The demo leaves one doctor without a signature so that the parking flow is visible. */
  hasSignature: boolean;
}

export const SAMPLE_DOCTORS: SampleDoctor[] = [
  {
    id: '42',
    login: 'mlefevre',
    name: 'Dr Marie Lefèvre',
    centre: {
      name: 'Point Vision Lyon Part-Dieu',
      address: '12 rue de la Part-Dieu, 69003 Lyon',
      phone: '04 72 00 00 42',
    },
    hasSignature: true,
  },
  {
    id: '57',
    login: 'pgarnier',
    name: 'Dr Paul Garnier',
    centre: {
      name: 'Point Vision Nantes',
      address: '3 quai de la Fosse, 44000 Nantes',
      phone: '02 40 00 00 57',
    },
    hasSignature: true,
  },
  {
    id: '63',
    login: 'sbenali',
    name: 'Dr Sofia Benali',
    centre: {
      name: 'Point Vision Marseille',
      address: '80 La Canebière, 13001 Marseille',
      phone: '04 91 00 00 63',
    },
    hasSignature: false,
  },
];

const PATIENTS = [
  { id: 'P-100231', lastName: 'Dupré', firstName: 'Hélène', birthDate: '1948-03-12' },
  { id: 'P-100877', lastName: "N'Diaye", firstName: 'Aïssatou', birthDate: '1979-11-02' },
  { id: 'P-101455', lastName: 'Lœwenbruck', firstName: 'François', birthDate: '1962-07-28' },
];

export function prescriptionHtml(doctor: string, patient: (typeof PATIENTS)[number]): string {
  return `<html><body><h1>Ordonnance</h1>
<p>${patient.firstName} ${patient.lastName}, née le ${patient.birthDate}</p>
<ul><li>Verres correcteurs : OD +1,25 (−0,50 à 90°) ; OG +1,50 — add. +2,00</li>
<li>Collyre hydratant (hyaluronate de sodium 0,15 %) : 1 goutte 4 fois par jour pendant 3 mois</li></ul>
<p>Coût estimé des verres : 180 €. Renouvellement possible chez l'opticien.</p>
<p>${doctor}</p></body></html>`;
}

export function letterText(doctor: string, patient: (typeof PATIENTS)[number]): string {
  return `Cher confrère,

J'ai vu en téléconsultation ${patient.firstName} ${patient.lastName} après la pré-consultation orthoptique.
L'acuité visuelle est de 10/10 ODG avec correction ; le fond d'œil ne montre pas de signe de rétinopathie.
Les œdèmes décrits précédemment ont disparu ; la fluorescéine est normale. Pas d'efﬁcacité attendue d'un traitement laser.

Je vous prie de croire, cher confrère, à l'expression de mes sentiments confraternels.

${doctor}`;
}

/** The demo batch: letters and prescriptions from several doctors, one PDF source, one image. */
export async function sampleDocuments(now = new Date()): Promise<GeneratedDocument[]> {
  const at = (minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();
  const [d1, d2, d3] = SAMPLE_DOCTORS as [SampleDoctor, SampleDoctor, SampleDoctor];
  const [p1, p2, p3] = PATIENTS as [
    (typeof PATIENTS)[number],
    (typeof PATIENTS)[number],
    (typeof PATIENTS)[number],
  ];
  const base = (
    id: string,
    doctor: SampleDoctor,
    patient: typeof p1,
    kind: GeneratedDocument['kind'],
    minutes: number,
  ) => ({
    id,
    kind,
    doctorId: doctor.id,
    centreId: '62',
    windowsLogin: doctor.login,
    patient,
    createdAt: at(minutes),
  });
  const suffix = now.getTime().toString(36);
  const scan = encodePng({
    width: 320,
    height: 200,
    alpha: false,
    pixel: (x, y) => {
      const r = Math.hypot(x - 160, y - 100);
      return r < 80 ? [180 - r, 60 + r / 2, 40] : [20, 20, 20];
    },
  });
  return [
    {
      ...base(`DEMO-${suffix}-1`, d1, p1, 'ordonnance', 12),
      content: { mediaType: 'text/html; charset=utf-8', base64: b64(prescriptionHtml(d1.name, p1)) },
    },
    {
      ...base(`DEMO-${suffix}-2`, d1, p2, 'courrier', 10),
      content: { mediaType: 'text/plain; charset=utf-8', base64: b64(letterText(d1.name, p2)) },
    },
    {
      ...base(`DEMO-${suffix}-3`, d2, p3, 'compte-rendu', 8),
      content: { mediaType: 'application/pdf', base64: b64(await sampleSourcePdf(2)) },
    },
    {
      ...base(`DEMO-${suffix}-4`, d2, p1, 'autre', 6),
      content: { mediaType: 'image/png', base64: b64(scan) },
    },
    {
      ...base(`DEMO-${suffix}-5`, d3, p2, 'ordonnance', 4),
      content: { mediaType: 'text/html', base64: b64(prescriptionHtml(d3.name, p2)) },
    },
    {
      ...base(`DEMO-${suffix}-6`, d3, p3, 'courrier', 2),
      content: { mediaType: 'text/plain', base64: b64(letterText(d3.name, p3)) },
    },
  ];
}
