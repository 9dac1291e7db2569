import { CrossRuleIssue } from './crossRules';

/**
 * Keys that mean something to JavaScript objects. `JSON.parse` turns `"__proto__"` into an own
 * property, and code further down (spreads, merges, lodash) may treat it as the prototype, so the
 * manifest rejects these names anywhere, before any schema code touches the value.
 */
export const FORBIDDEN_MANIFEST_KEYS: readonly string[] = [
  '__proto__',
  'constructor',
  'prototype',
];

const MAX_FORBIDDEN_REPORTS = 20;

/**
 * Walks a parsed value once, without recursion, and reports what must be refused before schema
 * validation: nesting deeper than `maxDepth`, more than `maxBytes` of JSON, forbidden keys.
 *
 * Every visited node adds at least one byte to the running size, so the walk ends after at most
 * `maxBytes` nodes even for cyclic or shared structures (a cycle also hits `maxDepth`).
 */
export function guardManifestValue(
  value: unknown,
  limits: { maxBytes: number; maxDepth: number },
): CrossRuleIssue[] {
  const problems: CrossRuleIssue[] = [];
  const stack: Array<{ value: unknown; path: Array<string | number> }> = [
    { value, path: [] },
  ];
  let size = 0;
  let forbiddenReports = 0;
  const tooBig = (): CrossRuleIssue => ({
    path: [],
    message: `the manifest is larger than ${limits.maxBytes} bytes of JSON`,
    fix: 'a khal-app.json is a few kilobytes; remove what does not belong in it (values, data, generated content)',
  });

  while (stack.length > 0) {
    const { value: node, path } = stack.pop()!;
    if (typeof node === 'string') {
      size += node.length + 2;
    } else if (typeof node === 'number' || typeof node === 'boolean') {
      size += String(node).length;
    } else if (node === null || typeof node !== 'object') {
      size += 4;
    } else {
      if (path.length + 1 > limits.maxDepth) {
        problems.push({
          path,
          message: `nesting is deeper than ${limits.maxDepth} levels`,
          fix: 'a manifest needs only a few levels of objects and arrays; remove the extra nesting',
        });
        return problems;
      }
      if (Array.isArray(node)) {
        size += 2 + node.length;
        if (size > limits.maxBytes) return [tooBig()];
        for (let index = node.length - 1; index >= 0; index--) {
          stack.push({ value: node[index], path: [...path, index] });
        }
      } else {
        const keys = Object.keys(node);
        size += 2 + keys.length;
        if (size > limits.maxBytes) return [tooBig()];
        const children: string[] = [];
        for (const key of keys) {
          size += key.length + 3;
          if (!FORBIDDEN_MANIFEST_KEYS.includes(key)) {
            children.push(key);
          } else if (forbiddenReports++ < MAX_FORBIDDEN_REPORTS) {
            problems.push({
              path: [...path, key],
              message: `${JSON.stringify(
                key,
              )} is not allowed as a key (it names a JavaScript object internal)`,
              fix: `remove the ${JSON.stringify(key)} key`,
            });
          }
        }
        // Pushed in reverse so they pop, and are reported, in document order.
        for (let k = children.length - 1; k >= 0; k--) {
          const key = children[k];
          stack.push({
            value: (node as Record<string, unknown>)[key],
            path: [...path, key],
          });
        }
      }
    }
    if (size > limits.maxBytes) return [tooBig()];
  }
  return problems;
}
