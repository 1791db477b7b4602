/**
 * A private certificate authority made at test time, as an organisation runs one: a CA certificate no trust store
 * knows, and server certificates it issues for the test AS (https on 127.0.0.2). Made with `openssl` (on Debian and
 * in .ci/run); keys are P-256, valid for a day, never leave the temporary folder.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PemPair {
  /** PEM file paths. */
  readonly cert: string;
  readonly key: string;
}

export interface PrivateCa extends PemPair {
  readonly dir: string;
}

function openssl(args: string[]): void {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  if (r.error)
    throw new Error(
      `the TLS tests need "openssl" on PATH to make their certificates (sudo apt-get install -y openssl): ${r.error.message}`,
    );
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
}

const P256 = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** A new CA in a new temporary folder (or `dir`). */
export function makePrivateCa(
  name = 'OAuth Accounts Test Private CA',
  dir = mkdtempSync(join(tmpdir(), 'oauth-ca-')),
): PrivateCa {
  const cert = join(dir, 'ca.pem');
  const key = join(dir, 'ca-key.pem');
  openssl([
    'req',
    '-x509',
    ...P256,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    key,
    '-out',
    cert,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return { dir, cert, key };
}

/** A server certificate from `ca` for the IP address `ip` (subjectAltName), written next to the CA's files. */
export function issueServerCertificate(ca: PrivateCa, ip: string): PemPair {
  const stem = join(ca.dir, `server-${ip}-${randomBytes(4).toString('hex')}`);
  const csr = `${stem}.csr`;
  const ext = `${stem}.ext`;
  const pair = { cert: `${stem}.pem`, key: `${stem}-key.pem` };
  openssl(['req', '-new', ...P256, '-subj', `/CN=${ip}`, '-keyout', pair.key, '-out', csr]);
  writeFileSync(
    ext,
    `subjectAltName=IP:${ip}\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n`,
  );
  openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-set_serial',
    `0x${randomBytes(8).toString('hex')}`,
    '-days',
    '1',
    '-extfile',
    ext,
    '-out',
    pair.cert,
  ]);
  return pair;
}
