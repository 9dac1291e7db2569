import {
  ManifestSettingType,
  compileSettingPattern,
  manifestSettingTypes,
  valueTypeMismatch,
} from './settingValues';
import { listOf, quote } from './suggestions';

/** A problem found by a rule that looks at more than one field. Paths are relative to the root. */
export interface CrossRuleIssue {
  path: Array<string | number>;
  message: string;
  fix: string;
}

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const has = (object: JsonObject, key: string) =>
  Object.prototype.hasOwnProperty.call(object, key);

const typeFixes: Record<ManifestSettingType, string> = {
  string: '',
  number: 'write a number such as "30", or change "type"',
  boolean: 'use "true" or "false", or change "type"',
  url: 'write an absolute URL such as "https://example.com", or change "type"',
  json: 'write valid JSON text such as "{\\"retries\\": 3}", or change "type"',
};

/**
 * The manifest rules that involve more than one field.
 *
 * Takes the raw input, not the parsed manifest: zod skips refinements once a nested field has
 * failed, and an author fixing a manifest wants to see every problem in one pass. So each rule
 * checks the shape it needs and stays silent when that shape is broken (the schema reports it).
 */
export function manifestCrossRuleIssues(raw: unknown): CrossRuleIssue[] {
  const issues: CrossRuleIssue[] = [];
  if (!isObject(raw) || !Array.isArray(raw.env)) return issues;
  const firstIndexByName = new Map<string, number>();

  raw.env.forEach((setting: unknown, index: number) => {
    if (!isObject(setting)) return;
    const at = (...rest: Array<string | number>) => ['env', index, ...rest];

    if (typeof setting.name === 'string') {
      const first = firstIndexByName.get(setting.name);
      if (first === undefined) {
        firstIndexByName.set(setting.name, index);
      } else {
        issues.push({
          path: at('name'),
          message: `${quote(
            setting.name,
          )} is already declared at $.env[${first}]`,
          fix: 'remove one of the two, or rename one of them',
        });
      }
    }

    let compiled: RegExp | undefined;
    if (typeof setting.pattern === 'string') {
      const result = compileSettingPattern(setting.pattern);
      if (result.ok) {
        compiled = result.regex;
      } else {
        issues.push({
          path: at('pattern'),
          message: `${quote(setting.pattern)} ${result.reason}`,
          fix: result.nested
            ? 'rewrite it without a repeated group that contains +, * or {n,} (e.g. "^[a-z,]*$"), or use "enum" or "type" instead'
            : 'fix the regular expression (JavaScript syntax, unicode mode), e.g. "^[a-z]+$"',
        });
      }
    }

    for (const list of ['enum', 'rungs'] as const) {
      const values = setting[list];
      if (!Array.isArray(values)) continue;
      const seen = new Set<unknown>();
      values.forEach((value: unknown, valueIndex: number) => {
        if (typeof value !== 'string') return;
        if (seen.has(value)) {
          issues.push({
            path: at(list, valueIndex),
            message: `${quote(value)} is listed twice`,
            fix: 'remove the duplicate',
          });
        }
        seen.add(value);
      });
    }

    if (setting.secret === true) {
      if (has(setting, 'default')) {
        issues.push({
          path: at('default'),
          message: 'secret settings never have a default',
          fix: 'remove "default" and supply the value per target as an App Setting',
        });
      }
      return;
    }

    const value = setting.default;
    if (typeof value !== 'string') return;
    if (
      Array.isArray(setting.enum) &&
      setting.enum.every(v => typeof v === 'string')
    ) {
      const allowed = setting.enum as string[];
      if (allowed.length > 0 && !allowed.includes(value)) {
        issues.push({
          path: at('default'),
          message: `default ${quote(
            value,
          )} is not one of the allowed values ${listOf(allowed)}`,
          fix: `use one of the allowed values, or add ${quote(
            value,
          )} to "enum"`,
        });
      }
    }
    if (compiled && !compiled.test(value)) {
      issues.push({
        path: at('default'),
        message: `default ${quote(value)} does not match pattern ${quote(
          String(setting.pattern),
        )}`,
        fix: 'change the default so it matches, or loosen the pattern',
      });
    }
    const type = setting.type;
    if (
      typeof type === 'string' &&
      (manifestSettingTypes as readonly string[]).includes(type)
    ) {
      const mismatch = valueTypeMismatch(type as ManifestSettingType, value);
      if (mismatch) {
        issues.push({
          path: at('default'),
          message: `default ${quote(value)} ${mismatch} (type ${quote(type)})`,
          fix: typeFixes[type as ManifestSettingType],
        });
      }
    }
  });
  return issues;
}
