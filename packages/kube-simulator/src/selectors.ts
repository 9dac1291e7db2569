/*
 * Label selectors (equality- and set-based) and field selectors, parsed from
 * the `labelSelector` / `fieldSelector` query parameters like the API server.
 */
import { KubeObject } from './types';

/** One parsed label requirement. */
export type LabelRequirement =
  | { op: 'exists' | 'notexists'; key: string }
  | { op: 'eq' | 'neq'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] };

/** Thrown for a selector the simulator (and Kubernetes) would reject with 400. */
export class SelectorError extends Error {}

const KEY_RE =
  /^([a-z0-9A-Z]([-a-z0-9A-Z.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-_.a-z0-9A-Z]*[a-z0-9A-Z])?$/;
const VALUE_RE = /^([a-z0-9A-Z]([-_.a-z0-9A-Z]*[a-z0-9A-Z])?)?$/;

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(input: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of input) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (depth < 0)
      throw new SelectorError(`unbalanced parentheses in "${input}"`);
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (depth !== 0)
    throw new SelectorError(`unbalanced parentheses in "${input}"`);
  parts.push(current);
  return parts.map(p => p.trim()).filter(p => p.length > 0);
}

function checkKey(key: string): string {
  if (!KEY_RE.test(key)) throw new SelectorError(`invalid label key "${key}"`);
  return key;
}

function checkValue(value: string): string {
  if (!VALUE_RE.test(value))
    throw new SelectorError(`invalid label value "${value}"`);
  return value;
}

function parseRequirement(text: string): LabelRequirement {
  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(text);
  if (set) {
    const values = set[3].split(',').map(v => checkValue(v.trim()));
    return { op: set[2] as 'in' | 'notin', key: checkKey(set[1]), values };
  }
  const neq = /^([^=!\s]+)\s*!=\s*(.*)$/.exec(text);
  if (neq)
    return {
      op: 'neq',
      key: checkKey(neq[1]),
      value: checkValue(neq[2].trim()),
    };
  const eq = /^([^=!\s]+)\s*==?\s*(.*)$/.exec(text);
  if (eq)
    return { op: 'eq', key: checkKey(eq[1]), value: checkValue(eq[2].trim()) };
  if (text.startsWith('!'))
    return { op: 'notexists', key: checkKey(text.slice(1).trim()) };
  return { op: 'exists', key: checkKey(text) };
}

/** Parses a label selector string; an empty string selects everything. */
export function parseLabelSelector(selector: string): LabelRequirement[] {
  return splitTopLevel(selector).map(parseRequirement);
}

/** Whether labels satisfy every requirement. */
export function matchesLabels(
  requirements: LabelRequirement[],
  labels: Record<string, string> | undefined,
): boolean {
  const l = labels ?? {};
  return requirements.every(r => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case 'notexists':
        return !has;
      case 'eq':
        return has && l[r.key] === r.value;
      case 'neq':
        return !has || l[r.key] !== r.value;
      case 'in':
        return has && r.values.includes(l[r.key]);
      case 'notin':
        return !has || !r.values.includes(l[r.key]);
      default:
        return false;
    }
  });
}

/** Label requirements equivalent to a Deployment/ReplicaSet `spec.selector`. */
export function fromLabelSelectorObject(
  selector:
    | {
        matchLabels?: Record<string, string>;
        matchExpressions?: Array<{
          key: string;
          operator: string;
          values?: string[];
        }>;
      }
    | undefined,
): LabelRequirement[] {
  if (!selector) return [];
  const reqs: LabelRequirement[] = Object.entries(
    selector.matchLabels ?? {},
  ).map(([key, value]) => ({ op: 'eq', key, value }));
  for (const e of selector.matchExpressions ?? []) {
    const op = e.operator.toLowerCase();
    if (op === 'in' || op === 'notin')
      reqs.push({ op, key: e.key, values: e.values ?? [] });
    else if (op === 'exists') reqs.push({ op: 'exists', key: e.key });
    else if (op === 'doesnotexist') reqs.push({ op: 'notexists', key: e.key });
  }
  return reqs;
}

/** One parsed field requirement (`path=value` or `path!=value`). */
export interface FieldRequirement {
  path: string;
  negate: boolean;
  value: string;
}

/** Parses a field selector such as `metadata.name=foo,status.phase!=Running`. */
export function parseFieldSelector(selector: string): FieldRequirement[] {
  return splitTopLevel(selector).map(text => {
    const m = /^([A-Za-z0-9_.]+)\s*(!=|==|=)\s*(.*)$/.exec(text);
    if (!m) throw new SelectorError(`invalid field selector "${text}"`);
    return { path: m[1], negate: m[2] === '!=', value: m[3].trim() };
  });
}

function fieldValue(object: KubeObject, path: string): string {
  let current: unknown = object;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return '';
    current = (current as Record<string, unknown>)[part];
  }
  return current === undefined || current === null ? '' : String(current);
}

/** Whether an object satisfies every field requirement. */
export function matchesFields(
  requirements: FieldRequirement[],
  object: KubeObject,
): boolean {
  return requirements.every(
    r => (fieldValue(object, r.path) === r.value) !== r.negate,
  );
}
