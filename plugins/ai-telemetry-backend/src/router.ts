import express, { RequestHandler } from 'express';
import Router from 'express-promise-router';
import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { HealthResponse } from '@fawkes/plugin-ai-telemetry-common';
import { createEventsRouter } from './ingestion/createEventsRouter';
import { IngestionService } from './ingestion/IngestionService';
import { createOptInRouter, optInRequestBody } from './optIn/createOptInRouter';
import { OptInService } from './optIn/OptInService';
import { createMetricsRouter } from './metrics/createMetricsRouter';
import { MetricsService } from './metrics/MetricsService';
import {
  adminErasureRequestBody,
  createPrivacyRouter,
  myErasureRequestBody,
} from './privacy/createPrivacyRouter';
import { PrivacyServices } from './privacy/setUpPrivacy';
import { AuditLog } from './audit/AuditLog';
import { createOtlpRouter } from './otlp/createOtlpRouter';
import { OtlpReceiver } from './otlp/OtlpReceiver';
import {
  createQueryRouter,
  rawQueryRequestBody,
} from './query/createQueryRouter';
import { QueryService } from './query/QueryService';
import { createOpenApiRouter } from './schema/openapi.generated';
import { PrometheusClient } from './upstream/PrometheusClient';
import { PushgatewayClient } from './upstream/PushgatewayClient';

export type RouterOptions = {
  prometheus: PrometheusClient;
  pushgateway: PushgatewayClient;
  httpAuth: HttpAuthService;
  optIns: OptInService;
  ingestion: IngestionService;
  metrics: MetricsService;
  /** The only principal that may read `/v1/metrics`. */
  scrapeSubject: string;
  permissions: PermissionsService;
  queries: QueryService;
  audit: AuditLog;
  privacy: PrivacyServices;
  /** Takes the OTLP exports of assistants (POST /otlp/v1/metrics). */
  otlpReceiver: OtlpReceiver;
};

export async function createRouter({
  prometheus,
  pushgateway,
  httpAuth,
  optIns,
  ingestion,
  metrics,
  scrapeSubject,
  permissions,
  queries,
  audit,
  privacy,
  otlpReceiver,
}: RouterOptions): Promise<express.Router> {
  // Checks each request against src/schema/openapi.yaml before the routes see it; it also
  // serves the spec at /openapi.json.
  const api = await createOpenApiRouter({
    // Backstage authenticates the callers (its auth policies and httpAuth); the spec's security
    // schemes only say which credentials each route takes.
    validatorOptions: { validateSecurity: false },
  });
  api.use(createOptInRouter({ httpAuth, optIns }));
  api.use(createMetricsRouter({ httpAuth, metrics, scrapeSubject }));
  api.use(createQueryRouter({ httpAuth, permissions, queries, audit }));
  api.use(createPrivacyRouter({ httpAuth, permissions, audit, ...privacy }));

  api.get('/health', async (_req, res) => {
    const [prometheusHealth, pushgatewayHealth] = await Promise.all([
      prometheus.health(),
      pushgateway.health(),
    ]);
    const body: HealthResponse = {
      status: prometheusHealth.up && pushgatewayHealth.up ? 'ok' : 'degraded',
      prometheus: prometheusHealth,
      pushgateway: pushgatewayHealth,
    };
    res.json(body);
  });

  const router = Router();
  // The events and OTLP routes authenticate their caller (a telemetry token) before they read
  // the body, then check it themselves (OTLP bodies are protobuf or OTLP JSON): they stay in
  // front of the validation, as the spec says.
  router.use(createEventsRouter({ httpAuth, ingestion }));
  router.use(createOtlpRouter({ httpAuth, ingestion, receiver: otlpReceiver }));
  router.use(readBodiesFirst(), api);
  return router;
}

/**
 * The routes' own JSON parsers, run in front of the validated router so that it checks the
 * parsed body while each route keeps its size limit, its 413 hint and its messages. (Inside
 * that router every error becomes a 400, and its default parser, express.json(), takes 100 KB
 * anywhere.) The routes run the same parsers again, which find the body read.
 */
function readBodiesFirst(): RequestHandler {
  const parsers = Router();
  parsers.put('/v1/me/opt-in', ...optInRequestBody);
  parsers.post('/v1/query', ...rawQueryRequestBody);
  parsers.post('/v1/me/erasure', ...myErasureRequestBody);
  parsers.post('/v1/admin/erasure', ...adminErasureRequestBody);
  // Mounted as a handler: these parsers are no routes of their own.
  return (req, res, next) => parsers(req, res, next);
}
