import {
  createApiFactory,
  createComponentExtension,
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
 * The AI Telemetry page (organisation overview and My data), for a
 * `<Route path="/ai-telemetry" element={<AiTelemetryPage />} />`.
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

/**
 * The "AI Telemetry" tab of a Group entity page, for an
 * `<EntityLayout.Route path="/ai-telemetry" title="AI Telemetry">` on the group page.
 *
 * @public
 */
export const EntityAiTelemetryContent = aiTelemetryPlugin.provide(
  createComponentExtension({
    name: 'EntityAiTelemetryContent',
    component: {
      lazy: () =>
        import('./components/TeamAiTelemetryContent').then(
          m => m.TeamAiTelemetryContent,
        ),
    },
  }),
);

/**
 * The developer's AI telemetry opt-in, for a settings tab:
 * `<SettingsLayout.Route path="ai-telemetry" title="AI Telemetry"><AiTelemetrySettings /></SettingsLayout.Route>`.
 *
 * @public
 */
export const AiTelemetrySettings = aiTelemetryPlugin.provide(
  createComponentExtension({
    name: 'AiTelemetrySettings',
    component: {
      lazy: () =>
        import('./components/OptInSettings').then(m => m.OptInSettings),
    },
  }),
);

/**
 * The opt-in card for User entity pages; it draws only on the signed-in user's own page.
 *
 * @public
 */
export const EntityAiTelemetryOptInCard = aiTelemetryPlugin.provide(
  createComponentExtension({
    name: 'EntityAiTelemetryOptInCard',
    component: {
      lazy: () =>
        import('./components/UserOptInCard').then(m => m.UserOptInCard),
    },
  }),
);
