import { InputError } from '@backstage/errors';
import express, { RequestHandler } from 'express';
import { PayloadTooLargeError } from './errors';
import { assertJsonDepth } from './jsonDepth';

type BodyParserError = Error & { type?: string; length?: number };

/**
 * Parses a JSON request body of at most `limitBytes` and `maxDepth` levels of nesting (both
 * checked before any validation), turning body-parser's failures into errors that say what is
 * wrong: a 400 for a body that is not JSON or is nested too deeply, a 413 naming the limit.
 */
export function jsonBody(options: {
  limitBytes: number;
  /** Says what the limit is about, e.g. "a batch may hold at most 256 KB and 1000 events". */
  tooLargeHint: string;
  /** How deeply arrays and objects may nest; `MAX_JSON_DEPTH` (32) by default. */
  maxDepth?: number;
}): RequestHandler[] {
  const parse = express.json({ limit: options.limitBytes });
  const requireJson: RequestHandler = (req, _res, next) => {
    if (!req.is('application/json')) {
      next(
        new InputError(
          `The request body must be JSON sent with Content-Type: application/json (got ${
            req.headers['content-type'] ?? 'no Content-Type'
          })`,
        ),
      );
      return;
    }
    next();
  };
  const parseWithClearErrors: RequestHandler = (req, res, next) => {
    parse(req, res, (error?: BodyParserError) => {
      if (!error) {
        let tooDeep: unknown;
        try {
          assertJsonDepth(req.body, options.maxDepth);
        } catch (refusal) {
          tooDeep = refusal;
        }
        next(tooDeep);
      } else if (error.type === 'entity.too.large') {
        next(
          new PayloadTooLargeError(
            `The request body is ${
              error.length ?? 'more than'
            } bytes, over the limit of ${options.limitBytes} bytes: ${
              options.tooLargeHint
            }`,
          ),
        );
      } else if (error.type === 'entity.parse.failed') {
        next(
          new InputError(
            `The request body is not valid JSON: ${error.message}`,
          ),
        );
      } else {
        next(error);
      }
    });
  };
  return [requireJson, parseWithClearErrors];
}
