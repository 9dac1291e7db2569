/**
 * A fresh Idempotency-Key for one user intent (one dialog), so a retry after a network error
 * returns the first result instead of creating a second promotion or approval.
 */
export function newIdempotencyKey(): string {
  const c = globalThis.crypto as Crypto | undefined;
  if (c?.randomUUID) return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
