import { HttpAuthService } from '@backstage/backend-plugin-api';
import { INGEST_LIMITS } from '@fawkes/plugin-ai-telemetry-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { PayloadTooLargeError, tooManyRequests } from '../http/errors';
import { jsonBody } from '../http/jsonBody';
import { RateLimiter } from '../http/rateLimit';
import { OPT_IN_LOCATION } from '../optIn/OptInService';
import { countedEvents, parseEventBatch } from './eventBatch';
import { IngestionService } from './IngestionService';
import { telemetryCallerOf } from './telemetryCaller';

/** The config key of the developer's event budget, for messages. */
const EVENTS_BUDGET_KEY = 'aiTelemetry.limits.ingestion.eventsPerMinute';

/**
 * `POST /v1/events`. Its auth policy is `unauthenticated` (a telemetry token is not a Backstage
 * token), so the route authenticates the caller itself: a telemetry token, or a Backstage user
 * token (then the user is the token's user). With `rateLimit`, each developer may send its
 * capacity of events a minute (an event counted `count` times): beyond it a 429 with
 * Retry-After, and nothing of the batch is stored.
 */
export function createEventsRouter(options: {
  httpAuth: HttpAuthService;
  ingestion: IngestionService;
  rateLimit?: RateLimiter;
}): express.Router {
  const { httpAuth, ingestion, rateLimit } = options;
  const router = Router();

  const callerOf = (req: Request) =>
    telemetryCallerOf(req, {
      httpAuth,
      ingestion,
      missingTokenHint:
        'send "Authorization: Bearer <telemetry token>" with the token shown when you opted in ' +
        `under ${OPT_IN_LOCATION}`,
    });

  router.post(
    '/v1/events',
    // The caller first, so that nobody learns more than "401" without a valid token.
    async (req, res, next) => {
      res.locals.userEntityRef = await callerOf(req);
      next();
    },
    ...jsonBody({
      limitBytes: INGEST_LIMITS.maxBatchBytes,
      tooLargeHint: `a batch may hold at most ${
        INGEST_LIMITS.maxBatchBytes / 1024
      } KB and ${INGEST_LIMITS.maxEventsPerBatch} events: split it`,
    }),
    async (req, res) => {
      const batch = parseEventBatch(req.body);
      if (rateLimit) {
        const cost = countedEvents(batch);
        if (cost > rateLimit.capacity) {
          throw new PayloadTooLargeError(
            `The batch counts ${cost} events (each event as its count), more than the ${rateLimit.capacity} a developer may send a minute (${EVENTS_BUDGET_KEY}): split it`,
          );
        }
        const decision = rateLimit.take(res.locals.userEntityRef, cost);
        if (!decision.allowed) {
          throw tooManyRequests(
            res,
            `Too many events: a developer may send ${rateLimit.capacity} a minute (${EVENTS_BUDGET_KEY}), each event counted as its count, and this batch counts ${cost}; nothing was stored`,
            decision.retryAfterSeconds,
          );
        }
      }
      const result = await ingestion.ingest(res.locals.userEntityRef, batch);
      res.status(202).json(result);
    },
  );

  return router;
}
