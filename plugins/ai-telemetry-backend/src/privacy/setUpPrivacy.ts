import {
  DatabaseService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { MyDataGithubImport } from '@fawkes/plugin-ai-telemetry-common';
import { AiTelemetryConfig } from '../config/AiTelemetryConfig';
import { GithubImportStore } from '../database/GithubImportStore';
import { OptInStore } from '../database/OptInStore';
import { OptInService } from '../optIn/OptInService';
import { PseudonymCache } from '../optIn/PseudonymCache';
import { PrometheusClient } from '../upstream/PrometheusClient';
import { PushgatewayClient } from '../upstream/PushgatewayClient';
import { AuditLog } from '../audit/AuditLog';
import { AuditStore } from '../database/AuditStore';
import { DatabasePersonalDataStore } from '../database/DatabasePersonalDataStore';
import { ErasureService } from './ErasureService';
import { ErasureStore } from '../database/ErasureStore';
import { ErasureWorker } from './ErasureWorker';
import { MyDataService } from './MyDataService';
import { PseudonymSeries } from './PseudonymSeries';

/** The privacy services the routes use. */
export type PrivacyServices = {
  erasure: ErasureService;
  myData: MyDataService;
};

/**
 * Wires the privacy part of the plugin (docs/privacy-model.md): the audit log, erasure requests, the
 * export, and two scheduler tasks: the erasure worker, every `erasure.workerIntervalSeconds` on
 * every instance, and the daily retention (global: on one instance) that forgets registry
 * history, audit entries and finished jobs older than `privacy.retentionDays`.
 */
export async function setUpPrivacy(options: {
  database: DatabaseService;
  audit: AuditLog;
  auditStore: AuditStore;
  erasure: ErasureService;
  scheduler: SchedulerService;
  logger: LoggerService;
  settings: AiTelemetryConfig;
  erasureStore: ErasureStore;
  optInStore: OptInStore;
  optIns: OptInService;
  pseudonyms: PseudonymCache;
  prometheus: PrometheusClient;
  pushgateway: PushgatewayClient;
  /** The query side's cache, which erasure's last step drops. */
  queries: { dropCachedResults(): Promise<void> };
  /** The GitHub import's records, which My data lists and erasure deletes. */
  githubImport?: {
    store: Pick<GithubImportStore, 'deleteUser'>;
    myData(userHash: string): Promise<MyDataGithubImport>;
  };
}): Promise<PrivacyServices> {
  const { database, scheduler, logger, settings, erasureStore } = options;
  const personalData = await DatabasePersonalDataStore.create({ database });
  const { audit, auditStore, erasure } = options;
  const myData = new MyDataService({
    optIns: options.optIns,
    pseudonyms: options.pseudonyms,
    personalData,
    series: new PseudonymSeries(options.prometheus),
    pushgateway: options.pushgateway,
    erasure,
    audit,
    retentionDays: settings.privacy.retentionDays,
    githubImport: options.githubImport,
  });
  const worker = new ErasureWorker({
    store: erasureStore,
    optIns: options.optInStore,
    personalData,
    githubImport: options.githubImport?.store,
    pushgateway: options.pushgateway,
    prometheus: options.prometheus,
    queries: options.queries,
    audit,
    settings: {
      ...settings.erasure,
      retentionDays: settings.privacy.retentionDays,
    },
    logger,
  });

  // Local, not global: the jobs' leases in the database already let one instance at a time work
  // on a job, while every instance may take up another. A global task would keep the job of an
  // instance that died waiting for the scheduler's janitor (once a minute) as well as the lease.
  await scheduler.scheduleTask({
    id: 'ai-telemetry-erasure-worker',
    scope: 'local',
    frequency: { seconds: settings.erasure.workerIntervalSeconds },
    timeout: { seconds: settings.erasure.leaseSeconds },
    fn: async signal => {
      try {
        await worker.run(signal);
      } catch (error) {
        // The scheduler keeps a local task's error to itself: say it here.
        logger.error(`Erasure worker run failed: ${error}`);
      }
    },
  });

  await scheduler.scheduleTask({
    id: 'ai-telemetry-privacy-retention',
    scope: 'global',
    frequency: { hours: 24 },
    timeout: { minutes: 10 },
    initialDelay: { minutes: 5 },
    fn: async () => {
      const days = settings.privacy.retentionDays;
      const olderThan = new Date(Date.now() - days * 86_400_000);
      const history = await personalData.pruneOptInHistory(olderThan);
      const entries = await auditStore.pruneOlderThan(olderThan);
      const jobs = await erasureStore.pruneFinished(olderThan);
      logger.info(
        `Privacy retention (${days} days): forgot ${history} opt-in history entries, ${entries} audit entries and ${jobs} finished erasure jobs`,
      );
    },
  });

  return { erasure, myData };
}
