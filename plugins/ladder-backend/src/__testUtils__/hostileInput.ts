import fc from 'fast-check';

/*
 * Hostile input for property-based tests of the router (fast-check): strings that have broken
 * parsers, routers, SQL and shells before, values built from them, and valid bodies and queries
 * with fields dropped, retyped or added.
 */

/** Strings that have broken parsers, routers, SQL and shells before. */
export const hostileString = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\u0007bell\u001b[31m',
    'line\r\nInjected: header',
    '../../../../etc/passwd',
    '..%2F..%2Fetc%2Fpasswd',
    'a/../../.git/config',
    'C:\\Windows\\system32',
    "'; drop table ladder_promotions; --",
    '" OR 1=1 --',
    'component:',
    ':/',
    'kind:ns/name/extra',
    '%00',
    '__proto__',
    'constructor',
    'prototype',
    'Promoted',
    '-rf',
    '--output=/tmp/x',
    '$(touch /tmp/pwned)',
    '`id`',
    '{"a":1}',
    'http://169.254.169.254/latest/meta-data/',
    '😀'.repeat(300),
    '\u202e\u200b\ufeff',
  ),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ maxLength: 3000 }),
);
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec(tie => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(
      fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor')),
      tie('value'),
      {
        maxKeys: 3,
      },
    ),
  ),
})).value;

/** A valid body with one to three fields dropped, replaced or added. */
export function mutated(valid: Record<string, unknown>) {
  const keys = Object.keys(valid);
  const own = keys.length
    ? [
        fc.record({
          op: fc.constant('drop' as const),
          key: fc.constantFrom(...keys),
        }),
        fc.record({
          op: fc.constant('set' as const),
          key: fc.constantFrom(...keys),
          value: hostileValue,
        }),
      ]
    : [];
  const edit = fc.oneof(
    ...own,
    fc.record({
      op: fc.constant('set' as const),
      key: fc.constantFrom(
        'extra',
        '__proto__',
        'constructor',
        'phase',
        'requestedBy',
        'approver',
      ),
      value: hostileValue,
    }),
  );
  return fc.oneof(
    { weight: 1, arbitrary: hostileValue },
    {
      weight: 6,
      arbitrary: fc.array(edit, { minLength: 1, maxLength: 3 }).map(edits => {
        // Built as JSON text so `__proto__` is an own key on the wire, as an attacker sends it.
        const body: Record<string, unknown> = JSON.parse(JSON.stringify(valid));
        for (const e of edits) {
          if (e.op === 'drop') delete body[e.key];
          else
            Object.defineProperty(body, e.key, {
              value: e.value,
              enumerable: true,
              writable: true,
              configurable: true,
            });
        }
        return body;
      }),
    },
  );
}

/** A query string from a mutated valid query (arrays repeat the key, objects are JSON). */
export function mutatedQuery(valid: Record<string, string>) {
  const text = (v: unknown) =>
    typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
  return mutated(valid).map(q => {
    if (typeof q !== 'object' || q === null || Array.isArray(q))
      return `x=${encodeURIComponent(text(q))}`;
    return Object.entries(q)
      .map(([k, v]) =>
        Array.isArray(v)
          ? v
              .map(
                x => `${encodeURIComponent(k)}=${encodeURIComponent(text(x))}`,
              )
              .join('&')
          : `${encodeURIComponent(k)}=${encodeURIComponent(text(v))}`,
      )
      .join('&');
  });
}
