/** A TCS patient export as the centres' Ophtix writes it (assumed format, see the README). */
export function samplePatientXml(
  options: {
    patientId?: string;
    conclusion?: string;
    images?: { name: string; type?: string; base64: string }[];
  } = {},
): string {
  const images = (options.images ?? [])
    .map((i) => `    <image nom="${i.name}"${i.type ? ` type="${i.type}"` : ''}>${i.base64}</image>`)
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<dossierTCS version="1">
  <centre numero="12" nom="Point Vision Lyon Part-Dieu"/>
  <patient>
    <id>${options.patientId ?? 'P-100231'}</id>
    <idAlaxione>ALX-778812</idAlaxione>
    <nom>Dupré</nom>
    <prenom>Hélène</prenom>
    <dateNaissance>1948-03-12</dateNaissance>
    <sexe>F</sexe>
  </patient>
  <consultation date="2026-11-20T10:15:00+01:00" orthoptiste="C. Morel">
    <motif>Baisse d'acuité visuelle</motif>
    <conclusion>${options.conclusion ?? 'Réfraction stable, fond d&apos;œil à interpréter'}</conclusion>
  </consultation>
  <images>
${images}
  </images>
</dossierTCS>
`;
}
