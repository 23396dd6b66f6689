import { readFileSync } from 'fs';
import { resolve } from 'path';
import YAML from 'yaml';

/**
 * Prometheus's configuration for a test of the deployed scrape jobs: the pushgateway and
 * ai-telemetry-backend jobs of deploy/prometheus/prometheus.yml as they are (honor_labels and
 * the legacy relabelling included), with this test's targets, scrape token and intervals, and
 * no rules.
 */
export function deployedScrapeConfig(options: {
  scrapeIntervalSeconds: number;
  pushgatewayPort: number;
  backendPort: number;
  scrapeTokenFile: string;
}): Record<string, unknown> {
  const deployed = YAML.parse(
    readFileSync(
      resolve(__dirname, '../../../../../deploy/prometheus/prometheus.yml'),
      'utf8',
    ),
  );
  const job = (name: string) => {
    const found = deployed.scrape_configs.find(
      (c: { job_name: string }) => c.job_name === name,
    );
    if (!found)
      throw new Error(`deploy/prometheus/prometheus.yml has no job ${name}`);
    return found;
  };
  const interval = `${options.scrapeIntervalSeconds}s`;
  return {
    global: {
      scrape_interval: interval,
      scrape_timeout: interval,
      evaluation_interval: interval,
    },
    scrape_configs: [
      {
        ...job('pushgateway'),
        static_configs: [{ targets: [`127.0.0.1:${options.pushgatewayPort}`] }],
      },
      {
        ...job('ai-telemetry-backend'),
        authorization: {
          type: 'Bearer',
          credentials_file: options.scrapeTokenFile,
        },
        static_configs: [{ targets: [`127.0.0.1:${options.backendPort}`] }],
      },
    ],
  };
}
