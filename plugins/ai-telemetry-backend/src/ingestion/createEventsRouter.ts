import { HttpAuthService } from '@backstage/backend-plugin-api';
import { INGEST_LIMITS } from '@fawkes/plugin-ai-telemetry-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { jsonBody } from '../http/jsonBody';
import { OPT_IN_LOCATION } from '../optIn/OptInService';
import { parseEventBatch } from './eventBatch';
import { IngestionService } from './IngestionService';
import { telemetryCallerOf } from './telemetryCaller';

/**
 * `POST /v1/events`. Its auth policy is `unauthenticated` (a telemetry token is not a Backstage
 * token), so the route authenticates the caller itself: a telemetry token, or a Backstage user
 * token (then the user is the token's user).
 */
export function createEventsRouter(options: {
  httpAuth: HttpAuthService;
  ingestion: IngestionService;
}): express.Router {
  const { httpAuth, ingestion } = options;
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
      const result = await ingestion.ingest(res.locals.userEntityRef, batch);
      res.status(202).json(result);
    },
  );

  return router;
}
