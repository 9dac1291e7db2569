/*
 * The request log and the question it exists to answer: did a client ever
 * ask for Secret data (rather than Secret metadata)?
 */
import { RequestLogEntry } from './types';
import { parseApiPath } from './paths';
import { isMetadataOnly } from './accept';

/** Whether a log entry addresses core/v1 secrets (list or single object). */
function isSecretsRequest(
  entry: RequestLogEntry,
): { list: boolean } | undefined {
  const target = parseApiPath(entry.path);
  if (
    target.kind !== 'resource' ||
    target.group !== '' ||
    target.type.plural !== 'secrets'
  )
    return undefined;
  return { list: target.name === undefined };
}

/**
 * Requests that would have returned Secret `data`: GETs of a Secret or a
 * Secret list whose Accept header did not ask for metadata only (whatever
 * their outcome, so a rejected token still counts as asking).
 */
export function secretDataRequests(
  log: readonly RequestLogEntry[],
): RequestLogEntry[] {
  return log.filter(entry => {
    if (entry.method !== 'GET') return false;
    const secrets = isSecretsRequest(entry);
    return secrets !== undefined && !isMetadataOnly(entry.accept, secrets.list);
  });
}
