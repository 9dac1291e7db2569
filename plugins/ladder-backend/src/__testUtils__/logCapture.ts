import {
  LoggerService,
  RootLoggerService,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';

/** One call to a logger: its level, message, the child fields it was made with, and its meta. */
export interface CapturedLine {
  level: 'error' | 'warn' | 'info' | 'debug';
  message: string;
  fields: unknown;
  meta: unknown;
}

/**
 * Every string inside a value, however deep: object keys and values, array items, and an Error's
 * name, message, stack, cause and own properties (which JSON.stringify would drop). Strings are
 * returned raw, so a search for a secret is not fooled by JSON escaping.
 */
export function stringsIn(
  value: unknown,
  out: string[] = [],
  seen = new Set<unknown>(),
): string[] {
  if (typeof value === 'string') {
    out.push(value);
  } else if (
    typeof value === 'number' ||
    typeof value === 'bigint' ||
    typeof value === 'boolean'
  ) {
    out.push(String(value));
  } else if (value && typeof value === 'object') {
    if (seen.has(value)) return out;
    seen.add(value);
    if (value instanceof Error) {
      out.push(value.name, value.message, value.stack ?? '');
      stringsIn((value as { cause?: unknown }).cause, out, seen);
    }
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      stringsIn(v, out, seen);
    }
  }
  return out;
}

/**
 * A root logger that keeps every line at every level (the plugin's logger, the auditor's and the
 * HTTP router's all derive from it), for tests that read what a backend wrote.
 */
export function logCapture() {
  const lines: CapturedLine[] = [];
  const logger = (fields: Record<string, unknown>): RootLoggerService => {
    const at =
      (level: CapturedLine['level']) => (message: string, meta?: unknown) =>
        void lines.push({ level, message, fields, meta });
    return {
      error: at('error'),
      warn: at('warn'),
      info: at('info'),
      debug: at('debug'),
      child: (meta): LoggerService => logger({ ...fields, ...meta }),
    };
  };
  const root = logger({});
  return {
    lines,
    /** The capturing root logger itself, for tests without a backend. */
    logger: root,
    feature: createServiceFactory({
      service: coreServices.rootLogger,
      deps: {},
      factory: () => root,
    }),
    /** Every string written so far: messages, child fields and meta. */
    strings: () =>
      lines.flatMap(l => [
        l.message,
        ...stringsIn(l.fields),
        ...stringsIn(l.meta),
      ]),
  };
}
