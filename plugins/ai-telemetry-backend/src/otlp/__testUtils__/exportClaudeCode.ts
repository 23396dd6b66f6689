/**
 * Records Claude Code's metrics with the official OpenTelemetry JS SDK and exports them to a
 * backend, then exits: 0 when every export succeeded. Run as its own Node process (under tsx),
 * since the SDK's HTTP transport loads `http` with a dynamic import that Jest's VM refuses.
 *
 * Environment: OTLP_TEST_VARIANT (an ExportVariant), OTLP_TEST_BASE_URL (the backend),
 * OTLP_TEST_TOKEN (a telemetry token).
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
  ClaudeCodeCounters,
  ExportVariant,
  INSTRUMENTS,
  METER,
  RESOURCE,
  ROUNDS,
} from './claudeCodeRecording';

function exporterFor(
  variant: ExportVariant,
  baseUrl: string,
  token: string,
): PushMetricExporter {
  if (variant === 'protobuf-delta-env') {
    // As a developer sets it up for Claude Code: the receiver's base URL and the token header.
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `${baseUrl}/api/ai-telemetry/otlp`;
    process.env.OTEL_EXPORTER_OTLP_HEADERS = `Authorization=Bearer ${token}`;
    process.env.OTEL_EXPORTER_OTLP_COMPRESSION = 'gzip';
    return new ProtobufMetricExporter({
      temporalityPreference: AggregationTemporalityPreference.DELTA,
    });
  }
  return new JsonMetricExporter({
    url: `${baseUrl}/api/ai-telemetry/otlp/v1/metrics`,
    headers: { Authorization: `Bearer ${token}` },
    temporalityPreference: AggregationTemporalityPreference.CUMULATIVE,
  });
}

async function main() {
  const variant = process.env.OTLP_TEST_VARIANT as ExportVariant;
  const exporter = exporterFor(
    variant,
    process.env.OTLP_TEST_BASE_URL!,
    process.env.OTLP_TEST_TOKEN!,
  );
  const failures: string[] = [];
  let exports = 0;
  // Every export's result, so that a refused export fails the run.
  const watched: PushMetricExporter = {
    export: (metrics, callback) =>
      exporter.export(metrics, result => {
        exports += 1;
        if (result.code !== 0) {
          failures.push(String(result.error?.message ?? result.error));
        }
        callback(result);
      }),
    forceFlush: () => exporter.forceFlush(),
    shutdown: () => exporter.shutdown(),
    selectAggregationTemporality:
      exporter.selectAggregationTemporality?.bind(exporter),
    selectAggregation: exporter.selectAggregation?.bind(exporter),
  };
  const provider = new MeterProvider({
    resource: resourceFromAttributes(RESOURCE),
    readers: [
      new PeriodicExportingMetricReader({
        exporter: watched,
        exportIntervalMillis: 3_600_000, // exports when flushed below
        exportTimeoutMillis: 30_000,
      }),
    ],
  });
  const meter = provider.getMeter(METER.name, METER.version);
  const counters = Object.fromEntries(
    Object.entries(INSTRUMENTS).map(([key, instrument]) => [
      key,
      meter.createCounter(instrument.name, {
        unit: 'unit' in instrument ? instrument.unit : undefined,
      }),
    ]),
  ) as ClaudeCodeCounters;

  for (const round of ROUNDS) {
    round(counters);
    await provider.forceFlush();
  }
  // A cumulative exporter sends every total again, a delta one nothing new: neither may
  // change the totals.
  await provider.forceFlush();
  await provider.forceFlush();
  await provider.shutdown();

  process.stdout.write(`${JSON.stringify({ exports, failures })}\n`);
  process.exit(failures.length === 0 && exports > 0 ? 0 : 1);
}

main().catch(error => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(2);
});
