/**
 * The assistants of __testUtils__/assistantsRecording.ts, each with its own MeterProvider and
 * OTLP exporter of the official OpenTelemetry JS SDK, in one long-lived Node process (run under
 * tsx with an IPC channel: the SDK's HTTP transport loads `http` with a dynamic import that
 * Jest's VM refuses). The test drives it with SdkCommand messages, so that it decides when each
 * assistant records and exports, around the faults it injects:
 *
 * - `record`: every session records a round of its metrics;
 * - `flush`: the named sessions export (at the same time), as their periodic reader would;
 * - `shutdown`: every provider shuts down (a last export each), then the process exits.
 *
 * Each reply lists the result of every export the SDK made for the command (after the
 * exporter's own retries). Environment: OTLP_TEST_BASE_URL (where the receiver is),
 * OTLP_TEST_TOKENS (JSON: person → telemetry token).
 */
import {
  AggregationTemporalityPreference,
  OTLPMetricExporter as JsonMetricExporter,
} from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtobufMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  MeterProvider,
  PeriodicExportingMetricReader,
  PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import {
  ASSISTANTS,
  AssistantProfile,
  ExportOutcome,
  SDK_SESSIONS,
  SdkCommand,
  SdkReply,
  SdkSession,
  recordingsOf,
  resourceOf,
} from './assistantsRecording';

type Instrument = {
  add?(value: number, attributes: Record<string, unknown>): void;
  record?(value: number, attributes: Record<string, unknown>): void;
};

type Running = {
  session: SdkSession;
  provider: MeterProvider;
  instruments: Map<string, Instrument>;
  outcomes: ExportOutcome[];
};

function exporterFor(
  profile: AssistantProfile,
  baseUrl: string,
  token: string,
): PushMetricExporter {
  const temporalityPreference =
    profile.temporality === 'delta'
      ? AggregationTemporalityPreference.DELTA
      : AggregationTemporalityPreference.CUMULATIVE;
  const url = `${baseUrl}/api/ai-telemetry/otlp/v1/metrics`;
  const headers = { Authorization: `Bearer ${token}` };
  switch (profile.transport) {
    case 'protobuf-gzip-env': {
      // As a developer sets up Claude Code: the receiver's base URL and the token header. The
      // exporter reads them when it is made.
      process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `${baseUrl}/api/ai-telemetry/otlp`;
      process.env.OTEL_EXPORTER_OTLP_HEADERS = `Authorization=Bearer ${token}`;
      process.env.OTEL_EXPORTER_OTLP_COMPRESSION = 'gzip';
      try {
        return new ProtobufMetricExporter({ temporalityPreference });
      } finally {
        delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
        delete process.env.OTEL_EXPORTER_OTLP_HEADERS;
        delete process.env.OTEL_EXPORTER_OTLP_COMPRESSION;
      }
    }
    case 'protobuf':
      return new ProtobufMetricExporter({
        url,
        headers,
        temporalityPreference,
      });
    default:
      return new JsonMetricExporter({ url, headers, temporalityPreference });
  }
}

/** Passes every export on, and notes how it ended. */
function watched(
  exporter: PushMetricExporter,
  outcomes: ExportOutcome[],
): PushMetricExporter {
  return {
    export: (metrics, callback) =>
      exporter.export(metrics, result => {
        outcomes.push(
          result.code === 0
            ? { ok: true }
            : {
                ok: false,
                error: String(result.error?.message ?? result.error),
              },
        );
        callback(result);
      }),
    forceFlush: () => exporter.forceFlush(),
    shutdown: () => exporter.shutdown(),
    selectAggregationTemporality:
      exporter.selectAggregationTemporality?.bind(exporter),
    selectAggregation: exporter.selectAggregation?.bind(exporter),
  };
}

function start(
  session: SdkSession,
  baseUrl: string,
  tokens: Record<string, string>,
): Running {
  const profile = ASSISTANTS[session.assistant];
  const outcomes: ExportOutcome[] = [];
  const provider = new MeterProvider({
    resource: resourceFromAttributes(resourceOf(session)),
    readers: [
      new PeriodicExportingMetricReader({
        exporter: watched(
          exporterFor(profile, baseUrl, tokens[session.person]),
          outcomes,
        ),
        // Exports when the test says so (forceFlush), not on a timer.
        exportIntervalMillis: 3_600_000,
        exportTimeoutMillis: 60_000,
      }),
    ],
  });
  const meter = provider.getMeter(profile.meter.name, profile.meter.version);
  const instruments = new Map<string, Instrument>();
  for (const [name, { kind, unit }] of Object.entries(profile.instruments)) {
    instruments.set(
      name,
      kind === 'histogram'
        ? meter.createHistogram(name, { unit })
        : meter.createCounter(name, { unit }),
    );
  }
  return { session, provider, instruments, outcomes };
}

async function main() {
  const baseUrl = process.env.OTLP_TEST_BASE_URL!;
  const tokens = JSON.parse(process.env.OTLP_TEST_TOKENS!);
  const running = new Map(
    SDK_SESSIONS.map(session => [session.key, start(session, baseUrl, tokens)]),
  );

  /** Runs `action` on the sessions, and answers what their exports did meanwhile. */
  const exporting = async (
    keys: string[],
    action: (r: Running) => Promise<void>,
  ) => {
    const sessions = keys.map(key => {
      const r = running.get(key);
      if (!r) throw new Error(`no session ${key}`);
      return r;
    });
    for (const r of sessions) r.outcomes.length = 0;
    await Promise.all(sessions.map(action));
    return Object.fromEntries(
      sessions.map(r => [r.session.key, [...r.outcomes]]),
    );
  };

  const handle = async (command: SdkCommand): Promise<SdkReply> => {
    switch (command.kind) {
      case 'record':
        for (const r of running.values()) {
          for (const recording of recordingsOf(r.session, command.round)) {
            const instrument = r.instruments.get(recording.metric);
            if (!instrument) {
              throw new Error(
                `${r.session.assistant} has no instrument ${recording.metric}`,
              );
            }
            if (instrument.add) {
              instrument.add(recording.value, recording.attributes);
            } else {
              instrument.record!(recording.value, recording.attributes);
            }
          }
        }
        return { id: command.id };
      case 'flush':
        return {
          id: command.id,
          exports: await exporting(command.sessions, r =>
            r.provider.forceFlush(),
          ),
        };
      case 'shutdown':
        return {
          id: command.id,
          exports: await exporting([...running.keys()], r =>
            r.provider.shutdown(),
          ),
        };
      default:
        throw new Error(`unknown command ${JSON.stringify(command)}`);
    }
  };

  process.on('message', (command: SdkCommand) => {
    handle(command)
      .catch(
        (error): SdkReply => ({
          id: command.id,
          error: String(error?.stack ?? error),
        }),
      )
      .then(reply => {
        process.send!(reply, () => {
          if (command.kind === 'shutdown') process.exit(0);
        });
      });
  });
  process.send!({ id: 0 } satisfies SdkReply);
}

main().catch(error => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(2);
});
