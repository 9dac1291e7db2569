import type { UnresolvedFact } from '@khal/plugin-ladder-common';

/**
 * Thrown by `LadderApi.getPlan` on a 422: the plan cannot be resolved, and each fact says what
 * to configure instead of guessing. The original `ResponseError` is kept as `cause`.
 *
 * @public
 */
export class PlanUnresolvedError extends Error {
  readonly name = 'PlanUnresolvedError';
  readonly unresolved: UnresolvedFact[];
  readonly cause: Error;

  constructor(message: string, unresolved: UnresolvedFact[], cause: Error) {
    super(message);
    this.unresolved = unresolved;
    this.cause = cause;
  }

  static is(value: unknown): value is PlanUnresolvedError {
    return (
      value instanceof Error &&
      value.name === 'PlanUnresolvedError' &&
      Array.isArray((value as PlanUnresolvedError).unresolved)
    );
  }
}
