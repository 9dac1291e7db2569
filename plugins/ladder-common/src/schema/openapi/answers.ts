import Ajv, { type ValidateFunction } from 'ajv';
import { spec } from './generated/spec';

/*
 * Checks answers of the ladder API against its OpenAPI document, the contract the client is
 * generated from: the status must be one the spec lists for that path and method, and the body
 * must match the schema it gives for that status. The backend's tests check every route with it;
 * the CLI checks every answer it reads with it, so a portal that drifts fails loudly there.
 */

type Json = any;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** How answers are checked. */
export interface LadderAnswerCheckOptions {
  /**
   * `reject`: a field an object's schema does not declare is a problem (the backend's own tests,
   * so the spec names everything the backend sends). `allow` (default): extra fields pass, so an
   * older client keeps working against a newer portal that added fields.
   */
  undeclaredFields?: 'allow' | 'reject';
}

/**
 * OpenAPI 3.0 as JSON Schema: `nullable: true` becomes "the same schema or null"; with
 * `closeObjects`, every object schema that lists its properties and says nothing about others
 * refuses others. (The spec combines schemas with `allOf` only to make a `$ref` nullable, where
 * closing each schema on its own is right; merging objects with `allOf` would need more here.)
 */
function toJsonSchema(node: Json, closeObjects: boolean): Json {
  if (Array.isArray(node)) return node.map(n => toJsonSchema(n, closeObjects));
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node))
    out[key] = toJsonSchema(value, closeObjects);
  if (closeObjects && out.properties && out.additionalProperties === undefined)
    out.additionalProperties = false;
  if (out.nullable === true) {
    const { nullable: _n, description, ...schema } = out;
    return {
      ...(description ? { description } : {}),
      anyOf: [schema, { type: 'null' }],
    };
  }
  return out;
}

const pointer = (...parts: string[]) =>
  parts.map(p => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

const paths = (spec as Json).paths as Record<string, Json>;

/** `METHOD /path/{param}` for every operation of the spec. */
export function ladderApiOperations(): string[] {
  return Object.entries(paths).flatMap(([path, item]) =>
    METHODS.filter(m => item[m]).map(m => `${m.toUpperCase()} ${path}`),
  );
}

/** The spec's path template for a concrete path under `/api/ladder` (without the prefix). */
export function ladderApiPathTemplate(pathname: string): string | undefined {
  return Object.keys(paths).find(template =>
    new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(pathname),
  );
}

/** Where in the body a problem is, for people: `items.0.title`, or `(body)`. */
export function answerProblemPlace(instancePath: string): string {
  return (
    instancePath
      .split('/')
      .slice(1)
      .map(p => p.replace(/~1/g, '/').replace(/~0/g, '~'))
      .join('.') || '(body)'
  );
}

class AnswerChecker {
  private readonly doc: Json;
  private readonly ajv: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(closeObjects: boolean) {
    this.doc = toJsonSchema(JSON.parse(JSON.stringify(spec)), closeObjects);
    this.ajv = new Ajv({
      strict: false,
      allErrors: true,
      validateFormats: false,
    });
    this.ajv.addSchema({ ...this.doc, $id: 'openapi' });
  }

  problems(
    method: string,
    pathname: string,
    status: number,
    body: unknown,
  ): LadderAnswerProblem[] {
    const template = ladderApiPathTemplate(pathname);
    const m = method.toLowerCase();
    const operation = template ? this.doc.paths[template][m] : undefined;
    if (!template || !operation)
      return [
        {
          place: '(request)',
          message: `${method.toUpperCase()} ${pathname} is not in the spec`,
        },
      ];
    const name = `${method.toUpperCase()} ${template}`;
    let response = operation.responses[String(status)];
    let responsePath = pointer(
      'paths',
      template,
      m,
      'responses',
      String(status),
    );
    if (!response) {
      return [
        {
          place: '(status)',
          message: `${name} answered ${status}, which the spec does not list (it lists ${Object.keys(
            operation.responses,
          ).join(', ')})`,
        },
      ];
    }
    if (response.$ref) {
      responsePath = response.$ref.slice(2);
      response = response.$ref
        .split('/')
        .slice(1)
        .reduce((n: Json, k: string) => n[k], this.doc);
    }
    if (!response.content)
      return body === undefined ||
        body === '' ||
        (typeof body === 'object' && body !== null && !Object.keys(body).length)
        ? []
        : [
            {
              place: '(body)',
              message: `${name} ${status} has a body the spec does not describe`,
            },
          ];
    const key = `${responsePath}/${pointer(
      'content',
      'application/json',
      'schema',
    )}`;
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `openapi#/${key}` });
      this.validators.set(key, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map(e => ({
      place: answerProblemPlace(e.instancePath),
      message:
        e.keyword === 'additionalProperties'
          ? `has "${
              (e.params as { additionalProperty: string }).additionalProperty
            }", which the spec does not declare`
          : e.message ?? 'does not match',
    }));
  }
}

/** One way an answer differs from the spec: where in the body, and what is wrong there. */
export interface LadderAnswerProblem {
  place: string;
  message: string;
}

const checkers = new Map<string, AnswerChecker>();

/**
 * What is wrong with one answer of the ladder API, or an empty list. `pathname` is the path
 * under `/api/ladder` as sent (`/promotions/p-1`), without the query.
 */
export function ladderAnswerProblems(
  answer: { method: string; pathname: string; status: number; body: unknown },
  options: LadderAnswerCheckOptions = {},
): LadderAnswerProblem[] {
  const mode = options.undeclaredFields ?? 'allow';
  let checker = checkers.get(mode);
  if (!checker) {
    checker = new AnswerChecker(mode === 'reject');
    checkers.set(mode, checker);
  }
  return checker.problems(
    answer.method,
    answer.pathname,
    answer.status,
    answer.body,
  );
}
