import { ResponseError } from '@backstage/errors';

/** A failed call as a person reads it: what happened, what to do, and the raw details apart. */
export interface DescribedError {
  /** One or two sentences; never raw JSON or a validator's dump. */
  summary: string;
  /** What the person can do about it. */
  action: string;
  /** The raw error (status, name, message), for the "details" toggle and bug reports. */
  details: string;
}

/** Text that is a machine's, not a sentence: JSON, or a validator's list of issues. */
function looksRaw(text: string): boolean {
  const t = text.trim();
  return (
    /^[[{]/.test(t) || /"(code|path|expected)"\s*:/.test(t) || t.length > 600
  );
}

function actionFor(status: number | undefined): string {
  if (status === 401) return 'Sign in again, then try again.';
  if (status === 403)
    return 'Ask an owner of this entity or an operator for access.';
  if (status === 404)
    return 'Check that the entity or promotion still exists, then reload the page.';
  if (status === 409)
    return 'Reload the page to see its current state, then try again.';
  if (status !== undefined && status < 500)
    return 'Fix what the message names, then try again.';
  return 'Try again; if it keeps failing, tell the platform team and include the details below.';
}

/**
 * Describes a failed call for a page. Backend messages are written for people and shown as they
 * are; anything else (a network failure, an answer the page could not read) gets a plain
 * sentence, with the raw text kept for the details.
 */
export function describeError(error: unknown): DescribedError {
  if (ResponseError.is(error)) {
    const message = error.cause?.message || error.message;
    const details = `${error.statusCode} ${error.statusText ?? ''} ${
      error.cause?.name ?? error.name
    }: ${message}`.trim();
    return {
      summary: looksRaw(message)
        ? `The ladder backend refused the request (${error.statusCode}).`
        : message,
      action: actionFor(error.statusCode),
      details,
    };
  }
  const raw =
    error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (error instanceof TypeError && /fetch|network/i.test(error.message)) {
    return {
      summary: 'The ladder backend could not be reached.',
      action:
        'Check your connection and that the portal is up, then try again.',
      details: raw,
    };
  }
  const readable = error instanceof Error && !looksRaw(error.message);
  return {
    summary: readable
      ? (error as Error).message
      : 'The answer of the ladder backend could not be read.',
    action: actionFor(undefined),
    details: raw,
  };
}

/** The sentence to show a person for a failed call (see describeError). */
export function errorMessage(error: unknown): string {
  return describeError(error).summary;
}

/** The HTTP status of a failed call, when there was a response. */
export function errorStatus(error: unknown): number | undefined {
  return ResponseError.is(error) ? error.statusCode : undefined;
}
