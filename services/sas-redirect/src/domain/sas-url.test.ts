import { describe, expect, it } from 'vitest';
import { type ContextRules, checkSearchContext } from './context.ts';
import { buildSasSearchUrl, buildSasTokenUrl } from './sas-url.ts';
import { parseSpecialtyCsv } from './specialty.ts';

const rules: ContextRules = {
  origins: new Set(['samu44-lrm']),
  specialties: parseSpecialtyCsv('code;libelle\nSM54;Médecine générale (SM)\nSM26;Ophtalmologie (SM)\n'),
};
const SAS = 'https://sas.example.test';

function urlFor(raw: Parameters<typeof checkSearchContext>[0], base = SAS) {
  const check = checkSearchContext(raw, rules);
  if (!check.ok) throw new Error(JSON.stringify(check));
  return buildSasSearchUrl(base, check.context);
}

describe('SAS contextual search URL', () => {
  it('carries the SAS parameters in order, with the URNs of specialty and practitioner', () => {
    const url = urlFor({
      origin: 'samu44-lrm',
      streetnumber: '12',
      streetname: 'rue de la Paix',
      inseecode: '44109',
      city: 'Nantes',
      specialty: 'SM54',
      practitioner: '10005681340',
    });
    expect(url).toBe(
      'https://sas.example.test/sas/recherche?origin=samu44-lrm&streetnumber=12&streetname=rue%20de%20la%20Paix' +
        '&inseecode=44109&city=Nantes&specialty=urn%3Aoid%3A1.2.250.1.213.2.28%7CSM54' +
        '&practitioner=urn%3Aoid%3A1.2.250.1.71.4.2.1%7C810005681340',
    );
    const parsed = new URL(url).searchParams;
    expect(parsed.get('specialty')).toBe('urn:oid:1.2.250.1.213.2.28|SM54');
    expect(parsed.get('practitioner')).toBe('urn:oid:1.2.250.1.71.4.2.1|810005681340');
  });

  it('percent-encodes "|" and ":" (never raw in the query)', () => {
    const url = urlFor({
      origin: 'samu44-lrm',
      city: 'Nantes',
      specialty: 'urn:oid:1.2.250.1.213.2.28|SM26',
    });
    const query = new URL(url).search;
    expect(query).not.toMatch(/[|:]/);
    expect(query).toContain('%7C');
    expect(query).toContain('%3A');
  });

  it('encodes reserved characters of free text so they cannot inject parameters', () => {
    const url = urlFor({
      origin: 'samu44-lrm',
      streetname: "allée d'Orléans & co=1+2#x",
      city: 'Saint-Étienne',
    });
    const p = new URL(url).searchParams;
    expect(p.get('streetname')).toBe("allée d'Orléans & co=1+2#x");
    expect(p.get('city')).toBe('Saint-Étienne');
    expect([...p.keys()]).toEqual(['origin', 'streetname', 'city']);
  });

  it('keeps a base path of the SAS and leaves empty parameters out', () => {
    const url = urlFor({ origin: 'samu44-lrm', inseecode: '75105' }, 'https://sas.example.test/portail');
    expect(url).toBe(
      'https://sas.example.test/portail/sas/recherche?origin=samu44-lrm&inseecode=75105&city=Paris%205e%20Arrondissement',
    );
  });

  it('carries Paris, Lyon and Marseille district INSEE codes as they are', () => {
    for (const code of ['75101', '75116', '69389', '13201']) {
      expect(new URL(urlFor({ origin: 'samu44-lrm', inseecode: code })).searchParams.get('inseecode')).toBe(
        code,
      );
    }
  });

  it('refuses a street number without street name before redirecting', () => {
    expect(
      checkSearchContext({ origin: 'samu44-lrm', streetnumber: '3', city: 'Nantes' }, rules),
    ).toMatchObject({
      ok: false,
      kind: 'invalid',
      problems: [{ field: 'streetname' }],
    });
  });

  it('refuses an RPPS with a bad key before redirecting', () => {
    expect(
      checkSearchContext({ origin: 'samu44-lrm', city: 'Nantes', practitioner: '10005681349' }, rules),
    ).toMatchObject({ ok: false, kind: 'invalid', problems: [{ field: 'practitioner' }] });
  });

  it('refuses an origin that is not a configured LRM/SAMU', () => {
    expect(checkSearchContext({ origin: 'other', city: 'Nantes' }, rules)).toMatchObject({
      ok: false,
      kind: 'forbidden-origin',
    });
    expect(checkSearchContext({ city: 'Nantes' }, rules)).toMatchObject({
      ok: false,
      kind: 'forbidden-origin',
    });
  });

  it('puts only the token in token mode', () => {
    expect(buildSasTokenUrl(SAS, 'a.b.c')).toBe('https://sas.example.test/sas/recherche?token=a.b.c');
  });
});
