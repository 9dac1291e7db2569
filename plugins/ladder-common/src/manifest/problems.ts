import { z } from 'zod';
import { manifestFieldHints, manifestSchema } from './schema';
import { closestMatch, listOf, quote } from './suggestions';

/**
 * One thing wrong with a manifest: where (a JSON path such as `$.env[2].name`), what, and how to
 * put it right. Authors read these in the portal, the CLI and catalog processing errors, so each
 * one has to be actionable on its own.
 * @public
 */
export interface ManifestProblem {
  path: string;
  message: string;
  fix: string;
}

/** A problem whose path is still a list of keys. */
export interface RawProblem {
  path: ReadonlyArray<PropertyKey>;
  message: string;
  fix: string;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `['env', 2, 'name']` → `$.env[2].name`; odd keys are quoted: `$["my key"]`. */
export function formatManifestPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '$';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && IDENTIFIER.test(key)) out += `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/**
 * One line per problem, for logs, CLI output and catalog processing errors.
 * @public
 */
export function formatManifestProblems(
  problems: ReadonlyArray<ManifestProblem>,
): string {
  return problems
    .map(p => `${p.path}: ${p.message} — fix: ${p.fix}`)
    .join('\n');
}

/** The value at `path` in the raw input, reading own properties only. */
function lookup(
  raw: unknown,
  path: ReadonlyArray<PropertyKey>,
): { found: boolean; value?: unknown } {
  let node = raw;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return { found: false };
    if (!Object.prototype.hasOwnProperty.call(node, key))
      return { found: false };
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return { found: true, value: node };
}

/** The schema that validates `path`, looking through optional/default wrappers. */
function schemaChainAt(path: ReadonlyArray<PropertyKey>): z.ZodType[] {
  let chain = unwrap(manifestSchema);
  for (const key of path) {
    const schema = chain[chain.length - 1];
    if (schema instanceof z.ZodObject && typeof key === 'string') {
      const next = (schema.shape as Record<string, z.ZodType>)[key];
      if (!next || !Object.prototype.hasOwnProperty.call(schema.shape, key))
        return [];
      chain = unwrap(next);
    } else if (schema instanceof z.ZodArray && typeof key === 'number') {
      chain = unwrap(schema.element as z.ZodType);
    } else {
      return [];
    }
  }
  return chain;
}

function unwrap(schema: z.ZodType): z.ZodType[] {
  const chain: z.ZodType[] = [schema];
  let current: z.ZodType = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodDefault) {
    current = current.unwrap() as z.ZodType;
    chain.push(current);
  }
  return chain;
}

function metaOf(chain: z.ZodType[]): {
  description?: string;
  examples?: unknown[];
} {
  const merged: { description?: string; examples?: unknown[] } = {};
  for (const schema of chain) {
    const meta = z.globalRegistry.get(schema);
    if (meta?.description && !merged.description)
      merged.description = meta.description;
    if (Array.isArray(meta?.examples) && !merged.examples)
      merged.examples = meta.examples;
  }
  return merged;
}

function hintOf(chain: z.ZodType[]) {
  for (let i = chain.length - 1; i >= 0; i--) {
    const hint = manifestFieldHints.get(chain[i]);
    if (hint) return hint;
  }
  return undefined;
}

/** `the string "8080"`, `an array`, `null` … */
export function describeFound(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return `the string ${quote(value)}`;
    case 'number':
    case 'bigint':
      return `the number ${String(value)}`;
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
}

const expectedNames: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
};

/** `"start": "node dist/index.js"`, or the bare example for array items and the root. */
function exampleEntry(key: PropertyKey | undefined, example: unknown): string {
  const json = JSON.stringify(example);
  return typeof key === 'string' ? `${JSON.stringify(key)}: ${json}` : json;
}

function firstSentence(description: string): string {
  const sentence = description
    .split(/(?<!\be\.g)\.\s+(?=[A-Z])/)[0]
    .replace(/\.$/, '');
  return sentence.charAt(0).toLowerCase() + sentence.slice(1);
}

const GENERIC_FIX =
  'compare it with the khal-app.json schema (@khal/plugin-ladder-common/schema/khal-app.schema.json)';

/**
 * Turns zod issues into problems a person can act on. zod's own messages are written for
 * developers ("Invalid input: expected string, received number"); these name the field, what was
 * found, and a concrete replacement. `raw` is the validated input, used to quote what was found.
 */
export function problemsFromZodIssues(
  issues: ReadonlyArray<z.core.$ZodIssue>,
  raw: unknown,
): RawProblem[] {
  const problems: RawProblem[] = [];
  for (const issue of issues) {
    const path = issue.path;
    const key = path[path.length - 1];
    const chain = schemaChainAt(path);
    const meta = metaOf(chain);
    const found = lookup(raw, path);
    const example = meta.examples?.[0];

    if (
      (issue.code === 'invalid_type' || issue.code === 'invalid_value') &&
      !found.found
    ) {
      const what = meta.description
        ? ` (${firstSentence(meta.description)})`
        : '';
      problems.push({
        path,
        message: `required key ${JSON.stringify(String(key))} is missing`,
        fix:
          example === undefined
            ? `add ${JSON.stringify(String(key))}${what}`
            : `add ${exampleEntry(key, example)}${what}`,
      });
      continue;
    }

    switch (issue.code) {
      case 'invalid_type': {
        const expected = expectedNames[issue.expected] ?? issue.expected;
        const value = found.value;
        const message =
          path.length === 0
            ? `the manifest must be a JSON object, found ${describeFound(
                value,
              )}`
            : `expected ${expected}, found ${describeFound(value)}`;
        let fix: string;
        if (
          issue.expected === 'boolean' &&
          (value === 'true' || value === 'false')
        ) {
          fix = `remove the quotes: ${value}`;
        } else if (
          (issue.expected === 'number' || issue.expected === 'int') &&
          typeof value === 'string' &&
          /^-?\d+(\.\d+)?$/.test(value.trim())
        ) {
          fix = `remove the quotes: ${value.trim()}`;
        } else if (path.length === 0) {
          fix = `write the manifest as one JSON object, e.g. ${JSON.stringify(
            example,
          )}`;
        } else if (example !== undefined) {
          fix = `write ${expected}, e.g. ${exampleEntry(key, example)}`;
        } else {
          fix = `write ${expected}`;
        }
        problems.push({ path, message, fix });
        break;
      }
      case 'invalid_value': {
        const allowed = issue.values.map(v => String(v));
        const value = found.value;
        const shown =
          typeof value === 'string' ? quote(value) : describeFound(value);
        if (allowed.length === 1) {
          problems.push({
            path,
            message: `must be ${quote(allowed[0])}, found ${shown}`,
            fix: `write ${exampleEntry(key, allowed[0])}`,
          });
        } else {
          const guess =
            typeof value === 'string'
              ? closestMatch(value, allowed)
              : undefined;
          problems.push({
            path,
            message: `${shown} is not one of ${listOf(allowed)}`,
            fix: guess
              ? `use ${quote(guess)}`
              : `use one of ${listOf(allowed)}`,
          });
        }
        break;
      }
      case 'unrecognized_keys': {
        const schema = chain[chain.length - 1];
        const allowed =
          schema instanceof z.ZodObject
            ? Object.keys(schema.shape as Record<string, unknown>)
            : [];
        const parent = lookup(raw, path).value as
          | Record<string, unknown>
          | undefined;
        const inSetting = path.length === 2 && path[0] === 'env';
        for (const unknownKey of issue.keys) {
          const keyPath = [...path, unknownKey];
          if (inSetting && unknownKey === 'value') {
            problems.push(
              parent?.secret === true
                ? {
                    path: keyPath,
                    message:
                      'secret settings never carry a value in the repo; supply it per target as an App Setting',
                    fix: 'remove "value" and supply the secret for each target as an App Setting',
                  }
                : {
                    path: keyPath,
                    message:
                      'settings never carry a value in the repo; values are supplied per target as App Settings',
                    fix: 'remove "value"; use "default" for a non-secret fallback value',
                  },
            );
            continue;
          }
          const guess = closestMatch(unknownKey, allowed);
          problems.push({
            path: keyPath,
            message: `unknown key ${JSON.stringify(unknownKey)}`,
            fix: guess
              ? `rename it to ${JSON.stringify(guess)}, or remove it`
              : `remove it; allowed keys here are ${allowed.join(', ')}`,
          });
        }
        break;
      }
      default: {
        const params = (issue as { params?: { fix?: unknown } }).params;
        const fix =
          typeof params?.fix === 'string'
            ? params.fix
            : hintOf(chain)?.fix(found.value) ?? GENERIC_FIX;
        problems.push({ path, message: issue.message, fix });
      }
    }
  }
  return problems;
}
