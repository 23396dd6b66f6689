import {
  DatabaseService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { AiTelemetryConfig } from '../config/AiTelemetryConfig';
import { DatabaseOtlpStreamStore } from '../database/DatabaseOtlpStreamStore';
import { OptInStore } from '../database/OptInStore';
import { DROP_REASONS } from './mapping';
import { OtlpReceiver } from './OtlpReceiver';

/** The OTLP receiver, wired: its router, and its refusals for the metrics endpoint. */
export type OtlpServices = {
  /** What the route hands decoded exports to (createOtlpRouter). */
  receiver: OtlpReceiver;
  /** Refused data points of every instance by reason, every reason listed (0 until one is). */
  droppedPoints(): Promise<Array<[string, number]>>;
};

/**
 * Sets up the OTLP receiver (docs/architecture.md#otlp-metrics): its store, and a global task
 * that forgets the state of streams that sent nothing for `otlp.streamRetentionDays`.
 */
export async function setUpOtlp(options: {
  database: DatabaseService;
  scheduler: SchedulerService;
  logger: LoggerService;
  settings: AiTelemetryConfig;
  optIns: OptInStore;
  /** Called after an export added to the counters. */
  onCounted?: () => void;
  /** The assistants another source counts for a user (see OtlpReceiver). */
  excludedAssistants?: (userEntityRef: string) => Promise<readonly string[]>;
}): Promise<OtlpServices> {
  const { database, scheduler, logger, settings, optIns, onCounted } = options;
  const streams = await DatabaseOtlpStreamStore.create({ database });
  const receiver = new OtlpReceiver({
    optIns,
    streams,
    pseudonymKey: settings.pseudonymKey,
    settings: {
      languages: settings.languages,
      assistants: settings.assistants,
      models: settings.models,
      pricing: settings.pricing,
      secondsPerLine: settings.estimates.secondsPerLine,
    },
    onCounted,
    excludedAssistants: options.excludedAssistants,
  });

  await scheduler.scheduleTask({
    id: 'ai-telemetry-prune-otlp-streams',
    scope: 'global',
    frequency: { hours: 1 },
    timeout: { minutes: 10 },
    initialDelay: { minutes: 2 },
    fn: async () => {
      const days = settings.otlp.streamRetentionDays;
      const pruned = await streams.pruneStreams(
        new Date(Date.now() - days * 86_400_000),
      );
      logger.info(
        `Forgot ${pruned} OTLP streams without a data point for ${days} days`,
      );
    },
  });

  return {
    receiver,
    droppedPoints: async () => {
      const dropped = await streams.droppedPoints();
      return DROP_REASONS.map(reason => [reason, dropped[reason] ?? 0]);
    },
  };
}
