import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { resolve as resolvePath } from 'path';
import { AuditLog } from '../audit/AuditLog';
import { readAiTelemetryConfig } from '../config/AiTelemetryConfig';
import { DatabaseAuditStore } from '../database/DatabaseAuditStore';
import { DatabaseErasureStore } from '../database/DatabaseErasureStore';
import { DatabaseOptInStore } from '../database/DatabaseOptInStore';
import { OptInService } from '../optIn/OptInService';
import { PseudonymCache } from '../optIn/PseudonymCache';
import { ErasureService } from '../privacy/ErasureService';
import { DemoRegistration } from './DemoRegistration';

/**
 * Development only: opts in the catalog's users and writes their telemetry tokens to
 * `aiTelemetry.demo.tokenFile`, for the demo's live trickle of events
 * (`yarn workspace @fawkes/ai-telemetry-demo trickle`). A module of its own, which only the
 * development backend adds (packages/backend/src/index.ts, NODE_ENV=development): the plugin
 * itself holds no demo code path. Without `aiTelemetry.demo` it does nothing.
 *
 * @public
 */
export const aiTelemetryDemoModule = createBackendModule({
  pluginId: 'ai-telemetry',
  moduleId: 'demo',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        database: coreServices.database,
        auditor: coreServices.auditor,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        logger: coreServices.logger,
        lifecycle: coreServices.lifecycle,
        catalog: catalogServiceRef,
      },
      async init({
        config,
        database,
        auditor,
        auth,
        discovery,
        logger,
        lifecycle,
        catalog,
      }) {
        const settings = readAiTelemetryConfig(config);
        if (!settings.demo) return;
        const optIns = await DatabaseOptInStore.create({ database });
        const pseudonyms = new PseudonymCache(settings.pseudonymKey);
        const audit = new AuditLog({
          store: await DatabaseAuditStore.create({ database }),
          auditor,
        });
        const demo = new DemoRegistration({
          catalog,
          auth,
          optIns,
          optInService: new OptInService({
            optIns,
            pseudonyms,
            endpoint: () => discovery.getExternalBaseUrl('ai-telemetry'),
            audit,
            erasure: new ErasureService({
              store: await DatabaseErasureStore.create({ database }),
              pseudonyms,
              audit,
              isKnownUser: async ref => Boolean(await optIns.get(ref)),
            }),
          }),
          logger,
          tokenFile: resolvePath(settings.demo.tokenFile),
          excludeUsers: settings.demo.excludeUsers,
        });
        lifecycle.addStartupHook(() => demo.start());
        lifecycle.addShutdownHook(() => demo.stop());
      },
    });
  },
});
