import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { selfSignedCertificate } from '../../test/self-signed.ts';
import { checkClientCertificate } from './certificate.ts';

const makeCert = (cn: string, org: string, days: number) =>
  readFileSync(selfSignedCertificate(`/O=${org}/CN=${cn}`, days).cert, 'utf8');

describe('startup check of the Hub client certificate', () => {
  const igc = /IGC[- ]SANT[EÉ]/i;
  const good = makeCert('fr.health.samu770', 'IGC-SANTE TEST', 30);

  it('accepts a valid IGC Santé certificate whose CN is the client id', () => {
    const check = checkClientCertificate({
      certificatePem: good,
      clientId: 'fr.health.samu770',
      now: new Date(),
      issuerPattern: igc,
    });
    expect(check.problems).toEqual([]);
    expect(check.subjectCn).toBe('fr.health.samu770');
  });

  it('says when the CN does not match the configured client id', () => {
    const check = checkClientCertificate({
      certificatePem: good,
      clientId: 'fr.health.samu920',
      now: new Date(),
      issuerPattern: igc,
    });
    expect(check.problems.join()).toContain(
      'CN is "fr.health.samu770" but HUB_CLIENT_ID is "fr.health.samu920"',
    );
  });

  it('says when the certificate is expired', () => {
    const later = new Date(Date.now() + 40 * 86_400_000);
    const check = checkClientCertificate({
      certificatePem: good,
      clientId: 'fr.health.samu770',
      now: later,
      issuerPattern: igc,
    });
    expect(check.problems.join()).toMatch(/expired on/);
  });

  it('says when the issuer is not IGC Santé', () => {
    const other = makeCert('fr.health.samu770', 'Hub Sante Legacy CA', 30);
    const check = checkClientCertificate({
      certificatePem: other,
      clientId: 'fr.health.samu770',
      now: new Date(),
      issuerPattern: igc,
    });
    expect(check.problems.join()).toMatch(/IGC Santé certificates only/);
  });
});
