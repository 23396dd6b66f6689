import {
  createApiFactory,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { aiTelemetryApiRef, AiTelemetryClient } from './api';
import { rootRouteRef } from './routes';

/**
 * The AI Telemetry plugin for apps on the legacy frontend system.
 * Apps on the new frontend system use the default export of `@fawkes/plugin-ai-telemetry/alpha`.
 *
 * @public
 */
export const aiTelemetryPlugin = createPlugin({
  id: 'ai-telemetry',
  apis: [
    createApiFactory({
      api: aiTelemetryApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new AiTelemetryClient(deps),
    }),
  ],
  routes: { root: rootRouteRef },
});

/**
 * The AI Telemetry page, for a `<Route path="/ai-telemetry" element={<AiTelemetryPage />} />`.
 *
 * @public
 */
export const AiTelemetryPage = aiTelemetryPlugin.provide(
  createRoutableExtension({
    name: 'AiTelemetryPage',
    component: () =>
      import('./components/AiTelemetryPage').then(m => m.AiTelemetryPage),
    mountPoint: rootRouteRef,
  }),
);
