import express from 'express';
import Router from 'express-promise-router';
import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { HealthResponse } from '@fawkes/plugin-ai-telemetry-common';
import { createEventsRouter } from './ingestion/createEventsRouter';
import { IngestionService } from './ingestion/IngestionService';
import { createOptInRouter } from './optIn/createOptInRouter';
import { OptInService } from './optIn/OptInService';
import { createMetricsRouter } from './metrics/createMetricsRouter';
import { MetricsService } from './metrics/MetricsService';
import { createPrivacyRouter } from './privacy/createPrivacyRouter';
import { PrivacyServices } from './privacy/setUpPrivacy';
import { AuditLog } from './audit/AuditLog';
import { createQueryRouter } from './query/createQueryRouter';
import { QueryService } from './query/QueryService';
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
}: RouterOptions): Promise<express.Router> {
  const router = Router();
  // Opt-in, ingestion and metrics parse their own bodies (size limits, clear errors): before
  // the general JSON parser.
  router.use(createOptInRouter({ httpAuth, optIns }));
  router.use(createEventsRouter({ httpAuth, ingestion }));
  router.use(createMetricsRouter({ httpAuth, metrics, scrapeSubject }));
  router.use(createQueryRouter({ httpAuth, permissions, queries, audit }));
  router.use(createPrivacyRouter({ httpAuth, permissions, audit, ...privacy }));
  router.use(express.json());

  router.get('/health', async (_req, res) => {
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

  return router;
}
