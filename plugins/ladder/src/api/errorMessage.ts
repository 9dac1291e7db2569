import { ResponseError } from '@backstage/errors';

/**
 * The message to show a person for a failed call. Backend messages are written for people, so
 * the server's own message is shown verbatim rather than the "Request failed with 409" wrapper.
 */
export function errorMessage(error: unknown): string {
  if (ResponseError.is(error)) return error.cause?.message || error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The HTTP status of a failed call, when there was a response. */
export function errorStatus(error: unknown): number | undefined {
  return ResponseError.is(error) ? error.statusCode : undefined;
}
