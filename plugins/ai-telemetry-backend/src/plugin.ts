import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { aiTelemetryPermissions } from '@fawkes/plugin-ai-telemetry-common';
import { readAiTelemetryConfig } from './config/AiTelemetryConfig';
import { createRouter } from './router';
import { PrometheusClient } from './upstream/PrometheusClient';
import { PushgatewayClient } from './upstream/PushgatewayClient';

/**
 * The Fawkes AI Telemetry backend plugin: ingestion, panel queries and erasure.
 *
 * @public
 */
export const aiTelemetryPlugin = createBackendPlugin({
  pluginId: 'ai-telemetry',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        httpRouter: coreServices.httpRouter,
        permissionsRegistry: coreServices.permissionsRegistry,
      },
      async init({ config, httpRouter, permissionsRegistry }) {
        const settings = readAiTelemetryConfig(config);
        permissionsRegistry.addPermissions(aiTelemetryPermissions);

        httpRouter.use(
          await createRouter({
            prometheus: new PrometheusClient(
              settings.prometheus.baseUrl,
              settings.prometheus.headers,
            ),
            pushgateway: new PushgatewayClient(settings.pushgateway.baseUrl),
          }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
