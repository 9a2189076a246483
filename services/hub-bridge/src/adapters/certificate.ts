import { X509Certificate } from 'node:crypto';

export interface CertificateCheck {
  subjectCn: string | undefined;
  issuer: string;
  validTo: Date;
  problems: string[];
}

function cnOf(dn: string): string | undefined {
  return dn
    .split(/\n|,\s*/)
    .map((p) => p.trim())
    .find((p) => p.startsWith('CN='))
    ?.slice(3);
}

/**
 * The startup check of the Hub client certificate: the Hub refuses an expired one, one not
 * issued by IGC Santé (from 9 December), and one whose CN is not the client id (the CN IS the
 * identity under SASL EXTERNAL). Saying so at start beats a bare "ACCESS_REFUSED" later.
 */
export function checkClientCertificate(input: {
  certificatePem: string | Buffer;
  clientId: string;
  now: Date;
  /** Issuers the Hub trusts, as a regular expression on the issuer DN. */
  issuerPattern: RegExp;
  /** Warn this long before expiry. */
  warnBeforeMs?: number;
}): CertificateCheck {
  const cert = new X509Certificate(input.certificatePem);
  const subjectCn = cnOf(cert.subject);
  const validTo = new Date(cert.validTo);
  const validFrom = new Date(cert.validFrom);
  const problems: string[] = [];
  if (validTo.getTime() <= input.now.getTime()) {
    problems.push(`the client certificate expired on ${validTo.toISOString()}`);
  } else if (validFrom.getTime() > input.now.getTime()) {
    problems.push(`the client certificate is not valid before ${validFrom.toISOString()}`);
  }
  if (subjectCn !== input.clientId) {
    problems.push(
      `the client certificate CN is "${subjectCn ?? '(none)'}" but HUB_CLIENT_ID is "${input.clientId}"`,
    );
  }
  if (!input.issuerPattern.test(cert.issuer)) {
    problems.push(
      `the client certificate is issued by "${cert.issuer.replace(/\n/g, ', ')}", which does not match the trusted issuer pattern ${input.issuerPattern} (the Hub trusts IGC Santé certificates only)`,
    );
  }
  return { subjectCn, issuer: cert.issuer, validTo, problems };
}
