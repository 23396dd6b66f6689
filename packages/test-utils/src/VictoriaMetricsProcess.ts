import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { instantQuery, QueriedSeries, rangeQuery } from './promQuery';
import {
  HttpServerProcess,
  Launch,
  ServerProcessOptions,
} from './ServerProcess';

export const VICTORIA_METRICS_BINARY = '/usr/bin/victoria-metrics';

/** The flags a test wants: a long retention, and every sample readable at once. */
const TEST_FLAGS: Record<string, string> = {
  '-retentionPeriod': '100y',
  '-search.latencyOffset': '0s',
  '-search.disableCache': 'true',
};
/** The flags the launcher sets itself. */
const OWN_FLAGS = ['-httpListenAddr', '-storageDataPath'];

export type VictoriaMetricsOptions = ServerProcessOptions & {
  /**
   * Its flags (`{ '-retentionPeriod': '100y' }`), e.g. those of a deployment's manifest, in
   * place of the test flags (100 years' retention, no latency offset, no cache). The address
   * and the storage folder (`<dir>/data`) are the launcher's.
   */
  flags?: Record<string, string>;
};

/** Debian's single-node VictoriaMetrics on 127.0.0.1, with its data in `<dir>/data`. */
export class VictoriaMetricsProcess extends HttpServerProcess {
  readonly kind = 'victoria-metrics';
  protected readonly readyPath = '/-/ready';

  constructor(private readonly options: VictoriaMetricsOptions) {
    super('victoria-metrics', options, { readyTimeoutMs: 60_000 });
  }

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  protected launch(port: number): Launch {
    const flags = this.options.flags ?? TEST_FLAGS;
    const taken = OWN_FLAGS.filter(flag => flag in flags);
    if (taken.length > 0) {
      throw new Error(`the launcher sets ${taken.join(' and ')} itself`);
    }
    return {
      command: VICTORIA_METRICS_BINARY,
      args: [
        ...Object.entries(flags).map(([flag, value]) => `${flag}=${value}`),
        `-httpListenAddr=127.0.0.1:${port}`,
        `-storageDataPath=${this.dataDir}`,
      ],
    };
  }

  /** Makes every sample received so far searchable. */
  async flush(): Promise<void> {
    await fetch(`${this.url}/internal/force_flush`);
  }

  /** An instant query of what it holds, flushed first; `time` in unix seconds. */
  async query(query: string, time?: number): Promise<QueriedSeries[]> {
    await this.flush();
    return instantQuery(this.url, query, time);
  }

  /** A range query of what it holds, flushed first. */
  async rangeQuery(
    query: string,
    range: { start: number; end: number; step: number },
  ): Promise<QueriedSeries[]> {
    await this.flush();
    return rangeQuery(this.url, query, range);
  }

  /** Imports OpenMetrics files (timestamps in seconds) and makes them searchable. */
  async importOpenMetrics(files: string[]): Promise<void> {
    for (const file of files) {
      const text = readFileSync(file, 'utf8')
        .split('\n')
        .filter(line => line && !line.startsWith('#'))
        .map(line => {
          const cut = line.lastIndexOf(' ');
          return `${line.slice(0, cut)} ${Math.round(
            Number(line.slice(cut + 1)) * 1000,
          )}`;
        })
        .join('\n');
      const res = await fetch(`${this.url}/api/v1/import/prometheus`, {
        method: 'POST',
        body: `${text}\n`,
      });
      if (!res.ok) {
        throw new Error(
          `VictoriaMetrics refused the import: ${await res.text()}`,
        );
      }
    }
    await this.flush();
  }
}

/** Starts a {@link VictoriaMetricsProcess} and answers it once it is ready. */
export function startVictoriaMetrics(
  options: VictoriaMetricsOptions,
): Promise<VictoriaMetricsProcess> {
  return new VictoriaMetricsProcess(options).start();
}
