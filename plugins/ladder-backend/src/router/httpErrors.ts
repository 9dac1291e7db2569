import { CustomErrorBase } from '@backstage/errors';
import type { UnresolvedFact } from '@khal/plugin-ladder-common';

/*
 * @backstage/errors has no classes for 413 and 422. The backend's error middleware honours a
 * numeric `statusCode` on any error, and serializes own properties, so these stay plain
 * Backstage errors that clients parse with ResponseError like every other.
 */

/** 413: the body is larger than the ladder accepts; the message says the limit. */
export class PayloadTooLargeError extends CustomErrorBase {
  name = 'PayloadTooLargeError';
  readonly statusCode = 413;
}

/** 415: the body is not JSON, or not in UTF-8; the message says what was sent and what to send. */
export class UnsupportedMediaTypeError extends CustomErrorBase {
  name = 'UnsupportedMediaTypeError';
  readonly statusCode = 415;
}

/** 422: the request is well-formed but cannot be honoured as it stands. */
export class UnprocessableEntityError extends CustomErrorBase {
  name = 'UnprocessableEntityError';
  readonly statusCode = 422;
}

/** 422 from GET /plan: lists each fact that could not be resolved and how to configure it. */
export class UnresolvedFactsError extends CustomErrorBase {
  name = 'UnresolvedFactsError';
  readonly statusCode = 422;
  readonly unresolved: UnresolvedFact[];

  constructor(subject: string, unresolved: UnresolvedFact[]) {
    super(
      `the deploy plan for ${subject} cannot be resolved; configure:\n${unresolved
        .map(f => `- ${f.fact}: ${f.howToConfigure}`)
        .join('\n')}`,
    );
    this.unresolved = unresolved;
  }
}
