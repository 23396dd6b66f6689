import { HttpAuthService } from '@backstage/backend-plugin-api';
import { CustomErrorBase, InputError } from '@backstage/errors';
import express, { Request, RequestHandler } from 'express';
import Router from 'express-promise-router';
import { PayloadTooLargeError, tooManyRequests } from '../http/errors';
import { RateLimiter } from '../http/rateLimit';
import { IngestionService } from '../ingestion/IngestionService';
import { telemetryCallerOf } from '../ingestion/telemetryCaller';
import { OPT_IN_LOCATION } from '../optIn/OptInService';
import {
  OTLP_CONTENT_TYPES,
  OtlpDecodeError,
  OtlpEncoding,
  countDataPoints,
  dataPointsOf,
  decodeExportRequest,
  encodeExportResponse,
  MAX_EXPORT_DEPTH,
} from './otlpProtocol';
import { OtlpReceiver } from './OtlpReceiver';

/** The path of the receiver, under the plugin: `<backend>/api/ai-telemetry/otlp/v1/metrics`. */
export const OTLP_METRICS_PATH = '/otlp/v1/metrics';

/** The limits of one export. */
export const OTLP_LIMITS = {
  /** The largest body, after gzip is undone. */
  maxBodyBytes: 2 * 1024 * 1024,
  /** The most data points one export may carry, of every kind. */
  maxDataPoints: 10_000,
  /** How deeply an export may nest its messages and lists. */
  maxDepth: MAX_EXPORT_DEPTH,
};

/** The config key of the developer's OTLP budget, for messages. */
const POINTS_BUDGET_KEY = 'aiTelemetry.limits.ingestion.otlpPointsPerMinute';

/** The request's content type is not one OTLP/HTTP uses (HTTP 415). */
export class UnsupportedMediaTypeError extends CustomErrorBase {
  name = 'UnsupportedMediaTypeError' as const;
  readonly statusCode = 415;
}

type BodyParserError = Error & {
  type?: string;
  status?: number;
  length?: number;
};

function encodingOf(req: Request): OtlpEncoding {
  if (req.is('application/x-protobuf')) return 'protobuf';
  if (req.is('application/json')) return 'json';
  throw new UnsupportedMediaTypeError(
    `OTLP/HTTP takes Content-Type application/x-protobuf or application/json (got ${
      req.headers['content-type'] ?? 'no Content-Type'
    })`,
  );
}

/**
 * `POST /otlp/v1/metrics`: OTLP/HTTP metrics (https://opentelemetry.io/docs/specs/otlp/#otlphttp),
 * so that an assistant set up with `OTEL_EXPORTER_OTLP_ENDPOINT=<backend>/api/ai-telemetry/otlp`
 * and `OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer <telemetry token>` exports to it as it
 * is. Its auth policy is `unauthenticated`: the route authenticates the caller itself, as
 * `POST /v1/events` does (a telemetry token, or a Backstage user token), before it reads the
 * body. With `rateLimit`, each developer may export its capacity of data points a minute:
 * beyond it a 429 with Retry-After (which OTLP exporters retry after), nothing stored.
 */
export function createOtlpRouter(options: {
  httpAuth: HttpAuthService;
  ingestion: Pick<IngestionService, 'authenticateToken'>;
  receiver: OtlpReceiver;
  limits?: Partial<typeof OTLP_LIMITS>;
  rateLimit?: RateLimiter;
}): express.Router {
  const { httpAuth, ingestion, receiver, rateLimit } = options;
  const limits = { ...OTLP_LIMITS, ...options.limits };
  const router = Router();

  const callerOf = (req: Request) =>
    telemetryCallerOf(req, {
      httpAuth,
      ingestion,
      missingTokenHint:
        'set OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer <telemetry token>" with the token ' +
        `shown when you opted in under ${OPT_IN_LOCATION}`,
    });

  const parse = express.raw({
    type: () => true,
    limit: limits.maxBodyBytes,
    inflate: true,
  });
  const readBody: RequestHandler = (req, res, next) => {
    parse(req, res, (error?: BodyParserError) => {
      if (!error) {
        next();
      } else if (error.type === 'entity.too.large' || error.status === 413) {
        next(
          new PayloadTooLargeError(
            `The export is over the limit of ${limits.maxBodyBytes} bytes (after gzip is ` +
              'undone): export more often (OTEL_METRIC_EXPORT_INTERVAL) or fewer metrics',
          ),
        );
      } else if (
        error.type === 'encoding.unsupported' ||
        error.status === 415
      ) {
        next(
          new UnsupportedMediaTypeError(
            `Content-Encoding ${
              req.headers['content-encoding'] ?? ''
            } is not supported: send gzip or no encoding`,
          ),
        );
      } else {
        next(
          new InputError(
            `The request body could not be read: ${error.message}`,
          ),
        );
      }
    });
  };

  router.post(
    OTLP_METRICS_PATH,
    // The caller and their opt-in first, so that nobody learns more than 401 or 403 without a
    // valid token of someone opted in, and nothing is read of a body that will not be stored.
    async (req, res, next) => {
      const userEntityRef = await callerOf(req);
      await receiver.requireOptedIn(userEntityRef);
      res.locals.userEntityRef = userEntityRef;
      res.locals.encoding = encodingOf(req);
      next();
    },
    readBody,
    async (req, res) => {
      const encoding: OtlpEncoding = res.locals.encoding;
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      let request;
      try {
        request = decodeExportRequest(body, encoding, limits.maxDepth);
      } catch (error) {
        if (error instanceof OtlpDecodeError) {
          throw new InputError(error.message);
        }
        throw error;
      }
      const points = countDataPoints(request);
      if (points > limits.maxDataPoints) {
        throw new PayloadTooLargeError(
          `The export holds ${points} data points, over the limit of ${limits.maxDataPoints}: ` +
            'export more often (OTEL_METRIC_EXPORT_INTERVAL) or fewer metrics',
        );
      }
      if (rateLimit) {
        if (points > rateLimit.capacity) {
          throw new PayloadTooLargeError(
            `The export holds ${points} data points, more than the ${rateLimit.capacity} a developer may export a minute (${POINTS_BUDGET_KEY}): ` +
              'export more often (OTEL_METRIC_EXPORT_INTERVAL) or fewer metrics',
          );
        }
        const decision = rateLimit.take(res.locals.userEntityRef, points);
        if (!decision.allowed) {
          throw tooManyRequests(
            res,
            `Too many data points: a developer may export ${rateLimit.capacity} a minute (${POINTS_BUDGET_KEY}) and this export holds ${points}; nothing was stored`,
            decision.retryAfterSeconds,
          );
        }
      }
      let dataPoints;
      try {
        dataPoints = dataPointsOf(request);
      } catch (error) {
        if (error instanceof OtlpDecodeError) {
          throw new InputError(
            `The body is not a valid ExportMetricsServiceRequest: ${error.message}`,
          );
        }
        throw error;
      }
      const receipt = await receiver.receive(
        res.locals.userEntityRef,
        dataPoints,
      );
      res
        .status(200)
        .type(OTLP_CONTENT_TYPES[encoding])
        .send(
          encodeExportResponse(
            encoding,
            receipt.rejected > 0
              ? {
                  rejectedDataPoints: receipt.rejected,
                  errorMessage: receipt.errorMessage ?? '',
                }
              : undefined,
          ),
        );
    },
  );

  return router;
}
