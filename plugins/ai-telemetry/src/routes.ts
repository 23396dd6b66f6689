import { createRouteRef } from '@backstage/core-plugin-api';

/** The AI Telemetry page, `/ai-telemetry` by default. */
export const rootRouteRef = createRouteRef({ id: 'ai-telemetry' });
