import { join } from 'node:path';
import {
  HttpServerProcess,
  Launch,
  ServerProcessOptions,
} from './ServerProcess';

export const PUSHGATEWAY_BINARY = '/usr/bin/prometheus-pushgateway';

/** Debian's Pushgateway on 127.0.0.1, always with its persistence file `<dir>/pushgateway.data`. */
export class PushgatewayProcess extends HttpServerProcess {
  protected readonly readyPath = '/-/ready';

  constructor(options: ServerProcessOptions) {
    super('pushgateway', options, { readyTimeoutMs: 30_000 });
  }

  get persistenceFile(): string {
    return join(this.dir, 'pushgateway.data');
  }

  protected launch(port: number): Launch {
    return {
      command: PUSHGATEWAY_BINARY,
      args: [
        `--web.listen-address=127.0.0.1:${port}`,
        `--persistence.file=${this.persistenceFile}`,
      ],
    };
  }

  /**
   * A push to the group `job`/`instance`, as the seed's clients did: PUT replaces the whole
   * group, POST only the metrics of the same name.
   */
  async push(
    job: string,
    instance: string,
    body: string,
    method: 'PUT' | 'POST' = 'PUT',
  ): Promise<void> {
    const res = await fetch(
      `${this.url}/metrics/job/${job}/instance/${instance}`,
      { method, body },
    );
    if (!res.ok) {
      throw new Error(`push answered ${res.status}: ${await res.text()}`);
    }
    await res.arrayBuffer();
  }

  /** The grouping labels of every group it holds. */
  async groups(): Promise<Array<Record<string, string>>> {
    const res = await fetch(`${this.url}/api/v1/metrics`);
    const body = (await res.json()) as {
      data: Array<{ labels: Record<string, string> }>;
    };
    return body.data.map(g => g.labels);
  }
}

/** Starts a {@link PushgatewayProcess} and answers it once it is ready. */
export function startPushgateway(
  options: ServerProcessOptions,
): Promise<PushgatewayProcess> {
  return new PushgatewayProcess(options).start();
}
