import { Deployment, findObject, readKustomizationObjects } from './kubernetes';
import { deployPath } from './paths';
import { readYamlFile } from './yamlFiles';

/** deploy/victoria-metrics: VictoriaMetrics as the engine behind the backend. */
export const VICTORIA_METRICS_DIR = deployPath('victoria-metrics');

/** The remote_write section of prometheus-remote-write.yml. */
export type RemoteWrite = {
  url: string;
  queue_config?: Record<string, string | number>;
  write_relabel_configs?: unknown[];
};

/** The remote_write entries Prometheus gets when VictoriaMetrics is the engine. */
export function readRemoteWrite(): RemoteWrite[] {
  const fragment = readYamlFile(
    deployPath('victoria-metrics', 'prometheus-remote-write.yml'),
  ) as { remote_write: RemoteWrite[] };
  return fragment.remote_write;
}

/** The backend's settings when VictoriaMetrics is the engine. */
export function readVictoriaMetricsAppConfig(): {
  aiTelemetry: {
    prometheus: { baseUrl: string; headers?: Record<string, string> };
    privacy: { retentionDays: number };
    erasure: { scrapeGraceSeconds: number };
  };
} {
  return readYamlFile(
    deployPath('victoria-metrics', 'app-config.victoria-metrics.yaml'),
  ) as ReturnType<typeof readVictoriaMetricsAppConfig>;
}

/** The VictoriaMetrics Deployment of the kustomization. */
export function victoriaMetricsDeployment(): Deployment {
  return findObject<Deployment>(
    readKustomizationObjects(VICTORIA_METRICS_DIR),
    'Deployment',
    'victoria-metrics',
  );
}

/** The command-line flags of the VictoriaMetrics container, by name (`-retentionPeriod` → `90d`). */
export function victoriaMetricsFlags(): Map<string, string> {
  const [container] = victoriaMetricsDeployment().spec.template.spec.containers;
  return new Map(
    (container.args ?? []).map(arg => {
      const match = /^(-[A-Za-z.]+)=(.*)$/.exec(arg);
      if (!match) {
        throw new Error(`victoria-metrics.yaml: "${arg}" is not -flag=value`);
      }
      return [match[1], match[2]];
    }),
  );
}

/** Seconds of a Prometheus duration such as `30s`, `5m`, `1h`. */
export function durationSeconds(duration: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(duration);
  if (!match) throw new Error(`not a duration: ${duration}`);
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[match[2]]!;
  return Number(match[1]) * unit;
}
