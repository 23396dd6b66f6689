import express from 'express';
import Router from 'express-promise-router';
import { HealthResponse } from '@fawkes/plugin-ai-telemetry-common';
import { PrometheusClient } from './upstream/PrometheusClient';
import { PushgatewayClient } from './upstream/PushgatewayClient';

export type RouterOptions = {
  prometheus: PrometheusClient;
  pushgateway: PushgatewayClient;
};

export async function createRouter({
  prometheus,
  pushgateway,
}: RouterOptions): Promise<express.Router> {
  const router = Router();
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
