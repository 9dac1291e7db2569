import { InputError } from '@backstage/errors';
import type { z } from 'zod';

/** Parses a body or query with a strict zod schema; a problem is a 400 naming each field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    const problems = result.error.issues.map(issue => {
      const path = issue.path.length ? issue.path.join('.') : what;
      return `${path}: ${issue.message}`;
    });
    throw new InputError(`invalid ${what}: ${problems.join('; ')}`);
  }
  return result.data;
}
