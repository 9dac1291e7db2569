import type { BackstageCredentials } from '@backstage/backend-plugin-api';

/** Who is calling, from the verified token (never from the request body). */
export interface Caller {
  credentials: BackstageCredentials;
  kind: 'user' | 'service';
  /** The user entity ref (lower case) for users; `service:<subject>` for services. */
  actor: string;
  /** Present for users. */
  userRef?: string;
  /** Present for services: the token's subject, e.g. `plugin:scaffolder` or `external:khal-ci`. */
  subject?: string;
}

/** Builds a Caller from verified credentials. */
export function callerFrom(credentials: BackstageCredentials): Caller {
  const principal = credentials.principal as { type: string; userEntityRef?: string; subject?: string };
  if (principal.type === 'user' && principal.userEntityRef) {
    const userRef = principal.userEntityRef.toLocaleLowerCase('en-US');
    return { credentials, kind: 'user', actor: userRef, userRef };
  }
  const subject = principal.subject ?? 'unknown';
  return { credentials, kind: 'service', actor: `service:${subject}`, subject };
}
