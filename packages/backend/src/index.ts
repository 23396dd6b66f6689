/*
 * The Fawkes developer portal backend.
 */

import { createBackend } from '@backstage/backend-defaults';
import {
  aiTelemetryDemoModule,
  aiTelemetryPermissionPolicyModule,
} from '@fawkes/plugin-ai-telemetry-backend';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));

backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(
  import('@backstage/plugin-scaffolder-backend-module-notifications'),
);

backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
// Sign-in behind an oauth2-proxy (or any proxy that sets X-Forwarded-User after its own
// sign-in): active only where auth.providers.oauth2Proxy is configured, e.g. the load
// benchmark's overlay (plugins/ai-telemetry-backend/bench/production/app-config.bench.yaml).
backend.add(
  import('@backstage/plugin-auth-backend-module-oauth2-proxy-provider'),
);

backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

backend.add(import('@backstage/plugin-permission-backend'));
// The portal's policy, the same in every environment: AI Telemetry's admins
// (aiTelemetry.permissions.admins) and team views, everything else as the template's
// allow-all policy allowed it.
backend.add(aiTelemetryPermissionPolicyModule);

backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));

backend.add(import('@backstage/plugin-user-settings-backend'));
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

backend.add(import('@fawkes/plugin-ai-telemetry-backend'));
// Development only (`yarn start`): the demo opts in the example organisation's users and
// writes their telemetry tokens for the live trickle. The production backend never adds it.
if (process.env.NODE_ENV === 'development') {
  backend.add(aiTelemetryDemoModule);
}
backend.start();
