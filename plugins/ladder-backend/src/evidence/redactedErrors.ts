import type { Redactor } from './Redactor';

/**
 * Redacts an error where it stands: its message, its stack (which repeats the message) and its
 * causes. In place, so the error keeps its class and status (an InputError stays a 400) for the
 * error handler that answers with it. Errors are echoes: "cannot resolve ref X" repeats what
 * the caller sent, and a caller who pasted a token where a ref goes gets it back redacted.
 */
export async function redactErrorInPlace<E>(
  error: E,
  redactor: Redactor,
  depth = 0,
): Promise<E> {
  if (!(error instanceof Error) || depth > 8) return error;
  const [message, stack] = await redactor.texts([
    error.message,
    error.stack ?? '',
  ]);
  if (message.redactions > 0 || stack.redactions > 0) {
    error.message = message.value;
    if (error.stack !== undefined) error.stack = stack.value;
  }
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error)
    await redactErrorInPlace(cause, redactor, depth + 1);
  return error;
}

/** A plain copy of an error's name, message, stack and own properties, for redacting as data. */
export function errorAsData(error: Error): Record<string, unknown> {
  return {
    ...Object.fromEntries(Object.entries(error)),
    name: error.name,
    message: error.message,
    ...(error.stack !== undefined ? { stack: error.stack } : {}),
  };
}

/** An Error again from errorAsData's (redacted) copy, with the original's prototype. */
export function errorFromData(
  original: Error,
  data: Record<string, unknown>,
): Error {
  const copy = Object.create(Object.getPrototypeOf(original)) as Error;
  for (const [key, value] of Object.entries(data)) {
    Object.defineProperty(copy, key, {
      value,
      writable: true,
      configurable: true,
      // message and stack are not enumerable on an Error, the rest as on the original
      enumerable: key !== 'message' && key !== 'stack',
    });
  }
  return copy;
}
