import express from 'express';
import { InputError } from '@backstage/errors';
import type { LadderConfig } from '@khal/plugin-ladder-common';
import { describeLimit } from '../service/EvidenceIntake';
import { PayloadTooLargeError } from './httpErrors';

/**
 * JSON body parsing with a limit per route: `POST /evidence` takes up to twice
 * `ladder.evidence.maxBytes` plus 64 KiB (JSON escaping can double a log's size; the decoded
 * content is checked against the limit itself by EvidenceIntake), every other route up to
 * `ladder.requestBodyMaxBytes`. A larger body is answered 413 naming the limit and the setting.
 */
export function jsonBodyParsers(
  config: Pick<LadderConfig, 'evidence' | 'requestBodyMaxBytes'>,
) {
  const evidenceBodyLimit = config.evidence.maxBytes * 2 + 64 * 1024;
  const evidenceJson = express.json({ limit: evidenceBodyLimit });
  const otherJson = express.json({ limit: config.requestBodyMaxBytes });
  const isEvidencePost = (req: express.Request) =>
    req.method === 'POST' && req.path === '/evidence';

  const parse: express.RequestHandler = (req, res, next) =>
    (isEvidencePost(req) ? evidenceJson : otherJson)(req, res, next);

  const errors: express.ErrorRequestHandler = (error, req, _res, next) => {
    if (error?.type === 'entity.too.large') {
      next(
        new PayloadTooLargeError(
          isEvidencePost(req)
            ? `the request body is larger than ${describeLimit(
                evidenceBodyLimit,
              )}; evidence content and data are limited to ${describeLimit(
                config.evidence.maxBytes,
              )} (ladder.evidence.maxBytes). Push the tail of the log, or a url to the full output`
            : `the request body is larger than ${describeLimit(
                config.requestBodyMaxBytes,
              )} (ladder.requestBodyMaxBytes)`,
        ),
      );
    } else if (error?.type === 'entity.parse.failed') {
      // Node quotes the text around the error ("…" is not valid JSON): that is the caller's
      // body, which may hold a secret, so only the reason and the position are said.
      const reason = String(error.message).replace(/,? ".*" is not valid JSON$/s, '');
      next(new InputError(`the request body is not valid JSON: ${reason}`));
    } else {
      next(error);
    }
  };
  return [parse, errors] as const;
}
