import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway self-signed certificate made with the openssl CLI; returns the PEM file paths. */
export function selfSignedCertificate(subject: string, days = 2): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hub-cert-'));
  const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      String(days),
      '-subj',
      subject,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}
