import { describe, expect, it } from 'vitest';
import { createSasSimulatorApp, readSearch } from './sas.ts';

const active = new Set(['samu44-lrm']);

describe('SAS platform simulator: reading /sas/recherche', () => {
  it('refuses an origin that is not an active LRM with sas_pf_001 (flow disabled)', async () => {
    expect(readSearch({ origin: 'x', city: 'Nantes' }, active)).toMatchObject({
      ok: false,
      error: 'sas_pf_001',
    });
    const app = createSasSimulatorApp({ activeOrigins: ['samu44-lrm'] });
    const res = await app.request('/sas/recherche?origin=x&city=Nantes');
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('data-error="sas_pf_001"');
  });

  it('sends a street number without street name, or no city, to the home page with sas_pf_002', async () => {
    expect(readSearch({ origin: 'samu44-lrm', streetnumber: '3', city: 'Nantes' }, active)).toMatchObject({
      ok: false,
      error: 'sas_pf_002',
    });
    expect(readSearch({ origin: 'samu44-lrm', streetname: 'rue A' }, active)).toMatchObject({
      error: 'sas_pf_002',
    });
    const app = createSasSimulatorApp({ activeOrigins: ['samu44-lrm'] });
    const res = await app.request('/sas/recherche?origin=samu44-lrm&streetnumber=3');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(/^\/\?error=sas_pf_002/);
  });

  it('reads specialty URNs as codes, anything else as free text, empty as general medicine', () => {
    const read = (specialty?: string) => {
      const r = readSearch(
        { origin: 'samu44-lrm', city: 'Nantes', ...(specialty ? { specialty } : {}) },
        active,
      );
      return r.ok ? r.understood.specialty : undefined;
    };
    expect(read('urn:oid:1.2.250.1.213.2.28|SM54')).toEqual({ kind: 'code', value: 'SM54' });
    expect(read('SM54')).toEqual({ kind: 'free-text', value: 'SM54' });
    expect(read()).toEqual({ kind: 'default', value: 'SM54' });
  });

  it('reads the practitioner URN as "8" + RPPS and ignores other formats with a warning', () => {
    const ok = readSearch(
      { origin: 'samu44-lrm', city: 'N', practitioner: 'urn:oid:1.2.250.1.71.4.2.1|810005681340' },
      active,
    );
    expect(ok.ok && ok.understood.practitioner).toBe('10005681340');
    const bare = readSearch({ origin: 'samu44-lrm', city: 'N', practitioner: '10005681340' }, active);
    expect(bare.ok && bare.understood.practitioner).toBeUndefined();
    expect(bare.ok && bare.understood.warnings[0]).toContain('médecin traitant ignoré');
  });

  it('keeps the digits of the street number only', () => {
    const r = readSearch(
      { origin: 'samu44-lrm', streetnumber: '12 bis', streetname: 'rue A', city: 'N' },
      active,
    );
    expect(r.ok && r.understood.address.streetnumber).toBe('12');
  });
});
