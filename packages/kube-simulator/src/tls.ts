/*
 * TLS for the simulated clusters: a throwaway CA and a server certificate for
 * 127.0.0.1 / ::1 / localhost, made with the `openssl` command line. Kubernetes
 * clients (kubectl) send a bearer token only over TLS, so a simulator that real
 * clients can use must serve https with a CA the client is told to trust.
 * The material is kept in a directory and reused while it is valid, so a
 * kubeconfig or backend config pointing at the CA stays valid across restarts.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** PEM texts a TLS server and its clients need. */
export interface TlsMaterial {
  /** The CA certificate clients trust (PEM). */
  ca: string;
  /** The server certificate (PEM), signed by the CA. */
  cert: string;
  /** The server's private key (PEM). */
  key: string;
}

const FILES = {
  caKey: 'ca.key',
  ca: 'ca.crt',
  key: 'server.key',
  cert: 'server.crt',
} as const;

/** Renewed this long before it expires, so a long demo never meets an expired certificate. */
const RENEW_BEFORE_MS = 7 * 24 * 3600 * 1000;

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT') {
      throw new Error(
        'kube-simulator needs the openssl command to make its TLS certificates; install it (Debian: apt-get install -y openssl) or run without TLS',
      );
    }
    throw new Error(
      `openssl ${args[0]} failed: ${
        err.stderr?.toString().trim() ?? err.message
      }`,
    );
  }
}

/** The material in `dir` when it is complete, consistent and not about to expire. */
function readValid(dir: string, now: number): TlsMaterial | undefined {
  const read = (name: string) => {
    const file = path.join(dir, name);
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  };
  const ca = read(FILES.ca);
  const cert = read(FILES.cert);
  const key = read(FILES.key);
  if (!ca || !cert || !key) return undefined;
  try {
    const caCert = new X509Certificate(ca);
    const serverCert = new X509Certificate(cert);
    const fresh = (c: X509Certificate) =>
      Date.parse(c.validTo) - RENEW_BEFORE_MS > now;
    if (!fresh(caCert) || !fresh(serverCert)) return undefined;
    if (!serverCert.verify(caCert.publicKey)) return undefined;
    if (!serverCert.checkIP('127.0.0.1')) return undefined;
  } catch {
    return undefined;
  }
  return { ca, cert, key };
}

function generate(dir: string): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
  openssl(
    [
      'req',
      '-x509',
      ...ec,
      '-nodes',
      '-keyout',
      FILES.caKey,
      '-out',
      FILES.ca,
      '-days',
      '3650',
      '-subj',
      '/CN=kube-simulator demo CA (not Kubernetes)',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  openssl(
    [
      'req',
      '-new',
      ...ec,
      '-nodes',
      '-keyout',
      FILES.key,
      '-out',
      'server.csr',
      '-subj',
      '/CN=127.0.0.1',
    ],
    dir,
  );
  fs.writeFileSync(
    path.join(dir, 'server.ext'),
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
      '',
    ].join('\n'),
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      FILES.ca,
      '-CAkey',
      FILES.caKey,
      '-CAcreateserial',
      '-out',
      FILES.cert,
      '-days',
      '825',
      '-extfile',
      'server.ext',
    ],
    dir,
  );
  for (const scratch of ['server.csr', 'server.ext', 'ca.srl'])
    fs.rmSync(path.join(dir, scratch), { force: true });
  fs.chmodSync(path.join(dir, FILES.caKey), 0o600);
  fs.chmodSync(path.join(dir, FILES.key), 0o600);
}

/**
 * The CA and server certificate kept in `dir`, made (or renewed) when missing,
 * inconsistent or close to expiry.
 */
export function ensureTlsMaterial(
  dir: string,
  now: number = Date.now(),
): TlsMaterial {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const existing = readValid(dir, now);
  if (existing) return existing;
  generate(dir);
  const made = readValid(dir, now);
  if (!made)
    throw new Error(
      `the TLS material made in ${dir} does not verify; delete the directory and start again`,
    );
  return made;
}

/** Where the CA certificate of the material in `dir` is, for clients' `caFile`. */
export function caFileIn(dir: string): string {
  return path.join(dir, FILES.ca);
}
