import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { instantQuery, QueriedSeries, rangeQuery } from './promQuery';
import {
  HttpServerProcess,
  Launch,
  ServerProcessOptions,
} from './ServerProcess';

export const PROMETHEUS_BINARY = '/usr/bin/prometheus';

export type PrometheusOptions = ServerProcessOptions & {
  /**
   * Its configuration, YAML text or an object (scrape jobs, rule files, remote write), written
   * to `<dir>/prometheus.yml` before each start. Default: no jobs, rules evaluated every second.
   */
  config?: string | Record<string, unknown>;
  /** The TSDB folder (default `<dir>/data`); backfilled blocks go there before the first start. */
  dataDir?: string;
  /** `--storage.tsdb.retention.time` (default 3650d, so that backfilled history is kept). */
  retention?: string;
  /** `--web.enable-admin-api`, which series deletion needs (default off, as Prometheus has it). */
  adminApi?: boolean;
  /**
   * `--web.enable-remote-write-receiver` (default off): `POST /api/v1/write` takes samples, as
   * the GitHub import writes them (back-dated ones also need `storage.tsdb.out_of_order_time_window`
   * in `config`).
   */
  remoteWriteReceiver?: boolean;
};

/** Debian's Prometheus on 127.0.0.1, with its data and configuration in a test's folder. */
export class PrometheusProcess extends HttpServerProcess {
  readonly kind = 'prometheus';
  readonly dataDir: string;
  protected readonly readyPath = '/-/ready';

  constructor(private readonly options: PrometheusOptions) {
    super('prometheus', options, { readyTimeoutMs: 60_000 });
    this.dataDir = options.dataDir ?? join(options.dir, 'data');
  }

  get configFile(): string {
    return join(this.dir, 'prometheus.yml');
  }

  protected async launch(port: number): Promise<Launch> {
    const { config = { global: { evaluation_interval: '1s' } } } = this.options;
    await fs.writeFile(
      this.configFile,
      typeof config === 'string' ? config : stringify(config),
    );
    return {
      command: PROMETHEUS_BINARY,
      args: [
        `--config.file=${this.configFile}`,
        `--storage.tsdb.path=${this.dataDir}`,
        `--storage.tsdb.retention.time=${this.options.retention ?? '3650d'}`,
        `--web.listen-address=127.0.0.1:${port}`,
        ...(this.options.adminApi ? ['--web.enable-admin-api'] : []),
        ...(this.options.remoteWriteReceiver
          ? ['--web.enable-remote-write-receiver']
          : []),
      ],
    };
  }

  /** An instant query: a vector, or a matrix for a range selector; `time` in unix seconds. */
  query(query: string, time?: number): Promise<QueriedSeries[]> {
    return instantQuery(this.url, query, time);
  }

  rangeQuery(
    query: string,
    range: { start: number; end: number; step: number },
  ): Promise<QueriedSeries[]> {
    return rangeQuery(this.url, query, range);
  }
}

/** Starts a {@link PrometheusProcess} and answers it once it is ready. */
export function startPrometheus(
  options: PrometheusOptions,
): Promise<PrometheusProcess> {
  return new PrometheusProcess(options).start();
}
