import type { LoggerService } from '@backstage/backend-plugin-api';
import type { JsonObject } from '@backstage/types';
import { currentCorrelationId } from '../correlation/correlationId';
import type { Redactor } from './Redactor';
import { errorAsData, errorFromData } from './redactedErrors';

/**
 * A logger that redacts every line before the platform's logger sees it: the message, the
 * fields of every child, and the meta (an Error's message and stack included). Log lines repeat
 * what came in (a git error quoting a ref, a gate's output, an error echoing a request), so the
 * plugin logs only through this.
 *
 * Redaction is asynchronous (secretlint), logging is not: lines are queued and written in the
 * order they were logged, each once it is redacted. A line that cannot be redacted is replaced
 * by a line that says so, never written as it was.
 */
export function redactingLogger(
  inner: LoggerService,
  redactor: Redactor,
): LoggerService & { flushed(): Promise<void> } {
  let queue: Promise<void> = Promise.resolve();
  type Level = 'error' | 'warn' | 'info' | 'debug';

  const write = async (
    level: Level,
    fields: JsonObject | undefined,
    message: string,
    meta: Error | JsonObject | undefined,
  ) => {
    const isError = meta instanceof Error;
    const { value } = await redactor.data({
      message,
      fields: fields ?? {},
      meta: isError ? errorAsData(meta) : meta ?? {},
    });
    const target = fields ? inner.child(value.fields as JsonObject) : inner;
    const redactedMeta = isError
      ? errorFromData(meta, value.meta as Record<string, unknown>)
      : (value.meta as JsonObject);
    target[level](
      value.message as string,
      meta === undefined ? undefined : redactedMeta,
    );
  };

  const logger = (fields: JsonObject | undefined) => {
    const at =
      (level: Level) =>
      (message: string, meta?: Error | JsonObject): void => {
        // Read now: the queue below runs outside the request's async context.
        const correlationId = currentCorrelationId();
        const lineFields = correlationId ? { ...fields, correlationId } : fields;
        queue = queue
          .then(() => write(level, lineFields, message, meta))
          .catch(error =>
            inner.error(
              `a ${level} log line was dropped: it could not be redacted (${
                (error as Error)?.name ?? 'error'
              })`,
            ),
          );
      };
    return {
      error: at('error'),
      warn: at('warn'),
      info: at('info'),
      debug: at('debug'),
      child: (meta: JsonObject): LoggerService =>
        logger({ ...fields, ...meta }),
    };
  };
  return Object.assign(logger(undefined), {
    /** Resolves when every line logged so far is written. */
    flushed: () => queue,
  });
}
