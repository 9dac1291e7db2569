import type { Response } from 'supertest';
import {
  ladderAnswerProblems,
  ladderApiOperations,
  ladderApiPathTemplate,
} from '@khal/plugin-ladder-common/spec';

/*
 * Checks supertest answers of the ladder API against its OpenAPI file with the same checker the
 * CLI uses (`@khal/plugin-ladder-common/spec`), strictly: a field the spec does not declare is a
 * drift too, so the spec names everything the backend sends.
 */

type Json = any;

/** `METHOD /path/{param}` for every operation of the spec. */
export const specOperations = ladderApiOperations;

const pathnameOf = (url: string) =>
  new URL(url, 'http://x').pathname.replace(/^\/api\/ladder/, '');

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
  return ladderAnswerProblems(
    { method, pathname: pathnameOf(url), status, body },
    { undeclaredFields: 'reject' },
  ).map(p =>
    p.place.startsWith('(') && p.place !== '(body)'
      ? p.message
      : `${method} ${ladderApiPathTemplate(pathnameOf(url))} ${status}: ${
          p.place
        } ${p.message}`,
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
  checkedOperations.add(
    `${req.method.toUpperCase()} ${ladderApiPathTemplate(
      pathnameOf(req.path),
    )}`,
  );
  return res;
}
