import express from 'express';
import { InputError } from '@backstage/errors';
import type { LadderConfig } from '@khal/plugin-ladder-common';
import { describeLimit } from '../service/EvidenceIntake';
import { PayloadTooLargeError, UnsupportedMediaTypeError } from './httpErrors';

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

  const parse: express.RequestHandler = (req, res, next) => {
    const refused = refusedMediaType(req);
    if (refused) next(refused);
    else (isEvidencePost(req) ? evidenceJson : otherJson)(req, res, next);
  };

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
      const reason = String(error.message).replace(
        /,? ".*"(\.\.\.)? is not valid JSON$/s,
        '',
      );
      next(new InputError(`the request body is not valid JSON: ${reason}`));
    } else if (
      error?.type === 'encoding.unsupported' ||
      error?.type === 'charset.unsupported'
    ) {
      next(
        new UnsupportedMediaTypeError(
          `${error.message}: send the body as plain UTF-8 JSON (Content-Type: application/json; Content-Encoding: gzip, deflate or none)`,
        ),
      );
    } else if (error?.status >= 400 && error?.status < 500) {
      // e.g. a body whose Content-Encoding says gzip but is not
      const encoding = req.headers['content-encoding'];
      next(
        new InputError(
          `the request body could not be read${
            encoding ? ` as Content-Encoding ${encoding}` : ''
          }: ${error.message}`,
        ),
      );
    } else {
      next(error);
    }
  };
  return [parse, errors] as const;
}

/**
 * Bodies are JSON in UTF-8 (RFC 8259) on every route: a body sent as anything else is refused
 * with 415 naming what was sent, rather than parsed as something it is not or ignored.
 */
function refusedMediaType(
  req: express.Request,
): UnsupportedMediaTypeError | undefined {
  const length = req.headers['content-length'];
  const hasBody =
    req.headers['transfer-encoding'] !== undefined ||
    (length !== undefined && Number(length) > 0);
  if (!hasBody) return undefined;
  const contentType = req.headers['content-type'];
  if (!contentType || !req.is(['application/json', '+json'])) {
    return new UnsupportedMediaTypeError(
      `Content-Type ${
        contentType ? JSON.stringify(contentType.slice(0, 100)) : 'is missing'
      }${
        contentType ? ' is not accepted' : ''
      }: send the body as JSON with Content-Type: application/json`,
    );
  }
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(contentType)?.[1];
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    return new UnsupportedMediaTypeError(
      `charset ${JSON.stringify(
        charset.slice(0, 40),
      )} is not accepted: JSON is read as UTF-8 (Content-Type: application/json; charset=utf-8)`,
    );
  }
  return undefined;
}
