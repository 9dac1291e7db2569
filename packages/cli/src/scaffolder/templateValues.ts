import type { JsonValue } from '@backstage/types';
import { CliError, ExitCode } from '../exitCodes';

/** A property of a template's parameter form, as much of its JSON Schema as `khal new` reads. */
interface FormProperty {
  title?: string;
  description?: string;
  type?: string;
  enum?: JsonValue[];
  pattern?: string;
  default?: JsonValue;
}

/** The steps of GET /v2/templates/:ns/:kind/:name/parameter-schema. */
export interface ParameterSteps {
  steps: Array<{
    title: string;
    schema: { required?: string[]; properties?: Record<string, unknown> };
  }>;
}

/** `k=v` pairs from the command line (the first `=` splits; values may hold more). */
export function parseParams(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) {
      throw new CliError(
        `--param takes key=value (e.g. --param owner=group:default/fdes), got "${pair.slice(
          0,
          40,
        )}"`,
        ExitCode.Usage,
      );
    }
    out[pair.slice(0, at).trim()] = pair.slice(at + 1);
  }
  return out;
}

function coerce(key: string, raw: string, prop: FormProperty): JsonValue {
  const fail = (how: string) =>
    new CliError(`--param ${key}: ${how}`, ExitCode.Usage);
  switch (prop.type) {
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') throw fail('use true or false');
      return raw === 'true';
    case 'number':
    case 'integer': {
      const n = Number(raw);
      if (
        !Number.isFinite(n) ||
        (prop.type === 'integer' && !Number.isInteger(n))
      )
        throw fail(`use a${prop.type === 'integer' ? 'n integer' : ' number'}`);
      return n;
    }
    case 'array':
    case 'object':
      try {
        const value = JSON.parse(raw);
        if (
          prop.type === 'array'
            ? !Array.isArray(value)
            : typeof value !== 'object' ||
              Array.isArray(value) ||
              value === null
        )
          throw new Error();
        return value;
      } catch {
        throw fail(
          `use JSON for this ${prop.type}, e.g. --param '${key}=${
            prop.type === 'array'
              ? '[{"name":"DATABASE_URL","secret":true}]'
              : '{}'
          }'`,
        );
      }
    default:
      return raw;
  }
}

/**
 * The values for a template run: the given params checked against the template's own form
 * (unknown keys, types, enums, patterns) and its defaults, and every required field present —
 * what is missing is listed with the form's own title and description, as the portal shows it.
 */
export function templateValues(
  schema: ParameterSteps,
  given: Record<string, string>,
): Record<string, JsonValue> {
  const props: Record<string, FormProperty> = {};
  const required: string[] = [];
  for (const step of schema.steps) {
    Object.assign(props, step.schema.properties ?? {});
    required.push(...(step.schema.required ?? []));
  }
  const values: Record<string, JsonValue> = {};
  for (const [key, prop] of Object.entries(props)) {
    if (prop.default !== undefined) values[key] = prop.default;
  }
  for (const [key, raw] of Object.entries(given)) {
    const prop = props[key];
    if (!prop) {
      throw new CliError(
        `the template has no parameter "${key}"; it takes: ${Object.keys(
          props,
        ).join(', ')}`,
        ExitCode.Usage,
      );
    }
    const value = coerce(key, raw, prop);
    if (prop.enum && !prop.enum.includes(value)) {
      throw new CliError(
        `--param ${key}: use one of ${prop.enum.join(', ')}`,
        ExitCode.Usage,
      );
    }
    if (
      prop.pattern &&
      typeof value === 'string' &&
      !new RegExp(prop.pattern).test(value)
    ) {
      throw new CliError(
        `--param ${key}: "${value}" does not fit the template's rule (${
          prop.description ?? prop.pattern
        })`,
        ExitCode.Usage,
      );
    }
    values[key] = value;
  }
  const missing = [...new Set(required)].filter(k => values[k] === undefined);
  if (missing.length) {
    throw new CliError(
      `the template needs ${missing.map(k => `--param ${k}=…`).join(', ')}`,
      ExitCode.Usage,
      missing.map(k => {
        const p = props[k] ?? {};
        return `  ${k}: ${
          [p.title, p.description].filter(Boolean).join(' — ') || 'required'
        }`;
      }),
    );
  }
  return values;
}
