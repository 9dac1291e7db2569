import Ajv, { type ValidateFunction } from 'ajv';
import type { Response } from 'supertest';
import { spec } from '../schema/openapi/generated/router';

/*
 * Checks answers of the ladder API against its OpenAPI file, the contract the clients are
 * generated from: the status must be one the spec lists for that path and method, and the body
 * must match the schema it gives for that status.
 */

type Json = any;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** OpenAPI 3.0's `nullable: true` as JSON Schema: the same schema or null. */
function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node))
    out[key] = toJsonSchema(value);
  if (out.nullable === true) {
    const { nullable: _n, description, ...schema } = out;
    return {
      ...(description ? { description } : {}),
      anyOf: [schema, { type: 'null' }],
    };
  }
  return out;
}

const doc = toJsonSchema(JSON.parse(JSON.stringify(spec)));
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema({ ...doc, $id: 'openapi' });

const pointer = (...parts: string[]) =>
  parts.map(p => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/** `METHOD /path/{param}` for every operation of the spec. */
export function specOperations(): string[] {
  return Object.entries(doc.paths).flatMap(([path, item]: [string, Json]) =>
    METHODS.filter(m => item[m]).map(m => `${m.toUpperCase()} ${path}`),
  );
}

function matchPath(pathname: string): string | undefined {
  return Object.keys(doc.paths).find(template =>
    new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(pathname),
  );
}

const validators = new Map<string, ValidateFunction>();

/**
 * What is wrong with one answer, or an empty list. `url` is as the test asked it
 * (`/api/ladder/...?query`).
 */
export function specProblems(
  method: string,
  url: string,
  status: number,
  body: unknown,
): string[] {
  const pathname = new URL(url, 'http://x').pathname.replace(
    /^\/api\/ladder/,
    '',
  );
  const template = matchPath(pathname);
  const m = method.toLowerCase();
  const operation = template ? doc.paths[template][m] : undefined;
  if (!template || !operation)
    return [`${method} ${pathname} is not in the spec`];
  let response = operation.responses[String(status)];
  let responsePath = pointer('paths', template, m, 'responses', String(status));
  if (!response) {
    return [
      `${method} ${template} answered ${status}, which the spec does not list (it lists ${Object.keys(
        operation.responses,
      ).join(', ')})`,
    ];
  }
  if (response.$ref) {
    responsePath = response.$ref.slice(2);
    response = response.$ref
      .split('/')
      .slice(1)
      .reduce((n: Json, k: string) => n[k], doc);
  }
  if (!response.content)
    return body === undefined ||
      body === '' ||
      (typeof body === 'object' && !Object.keys(body as object).length)
      ? []
      : [
          `${method} ${template} ${status} has a body the spec does not describe`,
        ];
  const key = `${responsePath}/${pointer(
    'content',
    'application/json',
    'schema',
  )}`;
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile({ $ref: `openapi#/${key}` });
    validators.set(key, validate);
  }
  if (validate(body)) return [];
  return (validate.errors ?? []).map(
    e =>
      `${method} ${template} ${status}: ${e.instancePath || '(body)'} ${
        e.message
      }`,
  );
}

/** Every operation a test has checked, as `METHOD /path/{param}`. */
export const checkedOperations = new Set<string>();

/** Fails the test, naming each drift, when a supertest answer does not match the spec. */
export function expectMatchesSpec(res: Response): Response {
  const req = (res as Json).req as { method: string; path: string };
  const problems = specProblems(req.method, req.path, res.status, res.body);
  if (problems.length) {
    const said = res.body?.error?.message
      ? ` (it said: ${res.body.error.message})`
      : '';
    throw new Error(
      `the answer does not match the OpenAPI spec${said}:\n${problems
        .map(p => `  - ${p}`)
        .join('\n')}`,
    );
  }
  const template = matchPath(
    new URL(req.path, 'http://x').pathname.replace(/^\/api\/ladder/, ''),
  );
  checkedOperations.add(`${req.method.toUpperCase()} ${template}`);
  return res;
}
