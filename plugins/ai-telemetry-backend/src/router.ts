import express, { RequestHandler } from 'express';
import Router from 'express-promise-router';
import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { HealthResponse } from '@fawkes/plugin-ai-telemetry-common';
import { DEFAULT_LIMITS, LimitSettings } from './config/AiTelemetryConfig';
import { isSignedIn } from './http/callers';
import { dependencyErrorsAsUnavailable } from './http/dependencyErrors';
import { RateLimiter, requestRateLimit } from './http/rateLimit';
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
import { createGithubRouter } from './github/createGithubRouter';
import { GithubImportService } from './github/GithubImportService';
import { OtlpReceiver } from './otlp/OtlpReceiver';
import {
  createQueryRouter,
  rawQueryRequestBody,
} from './query/createQueryRouter';
import { QueryService } from './query/QueryService';
import { createOpenApiRouter } from './schema/openapi.generated';
import { compileOpenApiPathsOnce } from './schema/openApiPathMatching';
import { HealthCheck } from './upstream/HealthCheck';
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
  /** The GitHub Copilot import's state, seats and the caller's own import. */
  github: GithubImportService;
  /** `aiTelemetry.limits`; a section not given takes its {@link DEFAULT_LIMITS}. */
  limits?: Partial<LimitSettings>;
};

/** The routes of the portal, limited per user (`aiTelemetry.limits.portal`). */
const PORTAL_PATHS = [
  '/v1/dashboard',
  '/v1/panels',
  '/v1/teams',
  '/v1/query',
  '/v1/me',
  '/v1/admin',
  '/v1/github',
];

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
  github,
  limits: givenLimits,
}: RouterOptions): Promise<express.Router> {
  const limits: LimitSettings = { ...DEFAULT_LIMITS, ...givenLimits };
  // Checks each request against src/schema/openapi.yaml before the routes see it; it also
  // serves the spec at /openapi.json. It finds a request's operation among the spec's paths
  // compiled once, not on every request.
  compileOpenApiPathsOnce();
  const api = await createOpenApiRouter({
    // Backstage authenticates the callers (its auth policies and httpAuth); the spec's security
    // schemes only say which credentials each route takes.
    validatorOptions: { validateSecurity: false },
  });
  api.use(createOptInRouter({ httpAuth, optIns }));
  api.use(createMetricsRouter({ httpAuth, metrics, scrapeSubject }));
  api.use(
    createQueryRouter({
      httpAuth,
      permissions,
      queries,
      audit,
      concurrentRawQueries: limits.rawQueries.concurrent,
      rawQueryTimeoutSeconds: limits.rawQueries.timeoutSeconds,
    }),
  );
  api.use(createPrivacyRouter({ httpAuth, permissions, audit, ...privacy }));
  api.use(createGithubRouter({ httpAuth, permissions, github }));

  // Anyone may ask whether the backend is healthy (a load balancer, say); only a signed-in
  // user or a service learns where the upstreams are and how they answer.
  const health = new HealthCheck({
    prometheus: () => prometheus.health(),
    pushgateway: () => pushgateway.health(),
  });
  api.get('/health', async (req, res) => {
    const upstreams = await health.check();
    const status =
      upstreams.prometheus.up && upstreams.pushgateway.up ? 'ok' : 'degraded';
    const body: HealthResponse = (await isSignedIn(httpAuth, req))
      ? { status, ...upstreams }
      : { status };
    res.json(body);
  });

  const router = Router();
  // The events and OTLP routes authenticate their caller (a telemetry token) before they read
  // the body, then check it themselves (OTLP bodies are protobuf or OTLP JSON): they stay in
  // front of the validation, as the spec says. Each developer has a budget of each a minute.
  router.use(
    createEventsRouter({
      httpAuth,
      ingestion,
      rateLimit: new RateLimiter({
        perMinute: limits.ingestion.eventsPerMinute,
      }),
    }),
  );
  router.use(
    createOtlpRouter({
      httpAuth,
      ingestion,
      receiver: otlpReceiver,
      rateLimit: new RateLimiter({
        perMinute: limits.ingestion.otlpPointsPerMinute,
      }),
    }),
  );
  // Before the bodies are read: a user over their budget costs nothing more.
  router.use(
    PORTAL_PATHS,
    requestRateLimit({
      httpAuth,
      limiter: new RateLimiter({
        perMinute: limits.portal.requestsPerMinute,
      }),
      configKey: 'aiTelemetry.limits.portal.requestsPerMinute',
    }),
  );
  router.use(readBodiesFirst(), api);
  // A dependency that is down (the database restarting, the catalog failing) is a 503 naming
  // it, not a 500.
  router.use(dependencyErrorsAsUnavailable());
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
