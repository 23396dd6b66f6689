import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { aiTelemetryPermissions } from '@fawkes/plugin-ai-telemetry-common';
import { readAiTelemetryConfig } from './config/AiTelemetryConfig';
import { DatabaseCounterStore } from './database/DatabaseCounterStore';
import { DatabaseOptInStore } from './database/DatabaseOptInStore';
import { IngestionService } from './ingestion/IngestionService';
import { OptInService } from './optIn/OptInService';
import { PseudonymCache } from './optIn/PseudonymCache';
import { MetricsService } from './metrics/MetricsService';
import { ActivityIndex, dashboardRules } from './query/ActivityIndex';
import { METRIC_FAMILIES, USAGE_FAMILIES } from './query/families';
import { DatabaseErasureStore } from './database/DatabaseErasureStore';
import { setUpPrivacy } from './privacy/setUpPrivacy';
import { ErasureService } from './privacy/ErasureService';
import { AuditLog } from './audit/AuditLog';
import { DatabaseAuditStore } from './database/DatabaseAuditStore';
import { QueryCache } from './query/QueryCache';
import { QueryService } from './query/QueryService';
import { TeamResolver } from './query/TeamResolver';
import { createRouter } from './router';
import { LiveUpdates } from './live/LiveUpdates';
import { setUpOtlp } from './otlp/setUpOtlp';
import { setUpGithub } from './github/setUpGithub';
import { OTLP_METRICS_PATH } from './otlp/createOtlpRouter';
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
        database: coreServices.database,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        catalog: catalogServiceRef,
        cache: coreServices.cache,
        permissions: coreServices.permissions,
        auditor: coreServices.auditor,
        lifecycle: coreServices.lifecycle,
        signals: signalsServiceRef,
      },
      async init({
        config,
        httpRouter,
        permissionsRegistry,
        database,
        httpAuth,
        auth,
        discovery,
        logger,
        scheduler,
        catalog,
        cache,
        permissions,
        auditor,
        lifecycle,
        signals,
      }) {
        const settings = readAiTelemetryConfig(config);
        permissionsRegistry.addPermissions(aiTelemetryPermissions);

        const optInStore = await DatabaseOptInStore.create({ database });
        const counterStore = await DatabaseCounterStore.create({ database });
        const erasureStore = await DatabaseErasureStore.create({ database });
        const pseudonyms = new PseudonymCache(settings.pseudonymKey);
        const auditStore = await DatabaseAuditStore.create({ database });
        const audit = new AuditLog({ store: auditStore, auditor });
        const erasure = new ErasureService({
          store: erasureStore,
          pseudonyms,
          audit,
          isKnownUser: async userEntityRef =>
            Boolean(await optInStore.get(userEntityRef)) ||
            Boolean(
              await catalog.getEntityByRef(userEntityRef, {
                credentials: await auth.getOwnServiceCredentials(),
              }),
            ),
        });
        const optIns = new OptInService({
          optIns: optInStore,
          pseudonyms,
          endpoint: () => discovery.getExternalBaseUrl('ai-telemetry'),
          audit,
          erasure,
        });
        // The GitHub Copilot import: set up first, since it decides whose Copilot counts from
        // clients are counted (one source of truth per assistant).
        const github = await setUpGithub({
          rootConfig: config,
          database,
          scheduler,
          logger,
          catalog,
          auth,
          settings,
          optIns: optInStore,
          pseudonyms,
        });
        // Open pages load their figures again when new data can be seen.
        const live = new LiveUpdates({
          signals,
          logger,
          timing: {
            ...settings.live,
            newSeriesZeroSeconds: settings.metrics.newSeriesZeroSeconds,
          },
        });
        lifecycle.addShutdownHook(() => live.stop());
        const ingestion = new IngestionService({
          optIns: optInStore,
          counters: counterStore,
          settings: {
            languages: settings.languages,
            assistants: settings.assistants,
            secondsPerLine: settings.estimates.secondsPerLine,
          },
          onCounted: () => live.countersStored(),
          excludedAssistants: github.excludedAssistants,
        });
        const otlp = await setUpOtlp({
          database,
          scheduler,
          logger,
          settings,
          optIns: optInStore,
          onCounted: () => live.countersStored(),
          excludedAssistants: github.excludedAssistants,
        });
        const metrics = new MetricsService({
          counters: counterStore,
          optIns: optInStore,
          newSeriesZeroSeconds: settings.metrics.newSeriesZeroSeconds,
          erasureFailures: () => erasureStore.failureTotal(),
          otlpDroppedPoints: () => otlp.droppedPoints(),
        });

        await scheduler.scheduleTask({
          id: 'ai-telemetry-prune-batch-ids',
          scope: 'global',
          frequency: { hours: 1 },
          timeout: { minutes: 10 },
          initialDelay: { minutes: 1 },
          fn: async () => {
            const days = settings.ingestion.batchIdRetentionDays;
            const pruned = await counterStore.pruneBatchIds(
              new Date(Date.now() - days * 86_400_000),
            );
            logger.info(`Forgot ${pruned} batch ids older than ${days} days`);
          },
        });

        const prometheus = new PrometheusClient(
          settings.prometheus.baseUrl,
          settings.prometheus.headers,
        );
        const pushgateway = new PushgatewayClient(settings.pushgateway.baseUrl);
        // Who had data per developer and day, kept here so that the organisation's dashboard
        // counts developers without reading every one's series (docs/architecture.md).
        const activity = new ActivityIndex({
          instant: (query, time) => prometheus.instantQuery(query, time),
          range: (query, start, end, step) =>
            prometheus.rangeQuery(query, start, end, step),
          rules: dashboardRules([...METRIC_FAMILIES, ...USAGE_FAMILIES]),
          days: settings.privacy.retentionDays,
          logger,
        });
        await scheduler.scheduleTask({
          id: 'ai-telemetry-activity-index',
          scope: 'local',
          frequency: { minutes: 5 },
          timeout: { minutes: 30 },
          fn: () => activity.refresh(),
        });
        const queries = new QueryService({
          prometheus,
          cache: new QueryCache(cache),
          optIns: optInStore,
          teams: new TeamResolver(catalog, optInStore, logger),
          settings,
          logger,
          activity: {
            index: activity,
            erasures: () => erasureStore.listPseudonyms(),
          },
        });
        const privacy = await setUpPrivacy({
          database,
          audit,
          auditStore,
          erasure,
          scheduler,
          logger,
          settings,
          erasureStore,
          optInStore,
          optIns,
          pseudonyms,
          prometheus,
          pushgateway,
          // Erasure's last step; then open pages (My data among them) load without the data.
          queries: {
            dropCachedResults: async () => {
              await queries.dropCachedResults();
              live.dataErased();
            },
          },
          githubImport: {
            store: github.store,
            myData: userHash => github.service.myData(userHash),
          },
        });

        httpRouter.use(
          await createRouter({
            prometheus,
            pushgateway,
            httpAuth,
            optIns,
            ingestion,
            metrics,
            scrapeSubject: settings.metrics.scrapeSubject,
            permissions,
            queries,
            audit,
            privacy,
            otlpReceiver: otlp.receiver,
            github: github.service,
            limits: settings.limits,
          }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
        // A telemetry token is not a Backstage token: the route authenticates callers itself.
        httpRouter.addAuthPolicy({
          path: '/v1/events',
          allow: 'unauthenticated',
        });
        httpRouter.addAuthPolicy({
          path: OTLP_METRICS_PATH,
          allow: 'unauthenticated',
        });
      },
    });
  },
});
