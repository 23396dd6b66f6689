import { JsonObject } from '@backstage/types';
import { dirname, join } from 'node:path';
import {
  HttpServerProcess,
  Launch,
  ServerProcessOptions,
} from './ServerProcess';

/** The environment variable that hands a backend process its root config, as JSON. */
export const BACKEND_CONFIG_ENV = 'FAWKES_TEST_BACKEND_CONFIG';

export type BackendProcessOptions = ServerProcessOptions & {
  /**
   * The backend's entry file, run with `node --import tsx`; it reads its root config with
   * {@link backendProcessConfig}.
   */
  entry: string;
  /** Where `tsx` is found from (default: the entry's folder). */
  cwd?: string;
  /** The path that answers 2xx once the backend is up, e.g. a plugin's `/health`. */
  readyPath: string;
  /**
   * Root config merged over the launcher's: `backend.baseUrl` and `backend.listen` on its port,
   * and a SQLite database in `<dir>/database`, which a new process on the same `dir` finds again.
   */
  config?: JsonObject & { backend?: JsonObject };
  /** Names its log file `<name>.log` (default `backend`), e.g. one per process of a test. */
  name?: string;
};

/**
 * A Backstage backend in a child process of its own, on 127.0.0.1, for tests that kill it or
 * run it next to others. NODE_ENV is "development": the scheduler's janitor, which frees the
 * tasks of a dead process, runs only outside tests.
 */
export class BackendProcess extends HttpServerProcess {
  protected readonly readyPath: string;

  constructor(private readonly options: BackendProcessOptions) {
    super(options.name ?? 'backend', options, { readyTimeoutMs: 120_000 });
    this.readyPath = options.readyPath;
  }

  protected launch(port: number): Launch {
    const { backend, ...rest } = this.options.config ?? {};
    const config: JsonObject = {
      ...rest,
      backend: {
        baseUrl: `http://127.0.0.1:${port}`,
        listen: { port, host: '127.0.0.1' },
        database: {
          client: 'better-sqlite3',
          connection: { directory: join(this.dir, 'database') },
        },
        ...backend,
      },
    };
    return {
      command: process.execPath,
      args: ['--import', 'tsx', this.options.entry],
      cwd: this.options.cwd ?? dirname(this.options.entry),
      env: {
        ...process.env,
        NODE_ENV: 'development',
        [BACKEND_CONFIG_ENV]: JSON.stringify(config),
      },
    };
  }
}

/** Starts a {@link BackendProcess} and answers it once `readyPath` answers. */
export function startBackendProcess(
  options: BackendProcessOptions,
): Promise<BackendProcess> {
  return new BackendProcess(options).start();
}

/** In a backend process's entry file: the root config its launcher handed it. */
export function backendProcessConfig(): JsonObject {
  const config = process.env[BACKEND_CONFIG_ENV];
  if (!config) {
    throw new Error(
      `${BACKEND_CONFIG_ENV} is not set: start this file with BackendProcess`,
    );
  }
  return JSON.parse(config);
}
