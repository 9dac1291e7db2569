/*
 * Bearer-token authentication: every API request must carry
 * `Authorization: Bearer <cluster token>`. Public endpoints (/version,
 * /healthz, /livez, /readyz) also answer anonymous requests, but a wrong
 * token is rejected everywhere, as the API server does.
 */
import { timingSafeEqual } from 'node:crypto';

/** Outcome of checking the Authorization header. */
export type AuthResult = 'authenticated' | 'anonymous' | 'rejected';

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** Checks an Authorization header against the cluster's token. */
export function authenticate(
  header: string | undefined,
  token: string,
): AuthResult {
  if (!header) return 'anonymous';
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match) return 'rejected';
  return safeEqual(match[1].trim(), token) ? 'authenticated' : 'rejected';
}
