import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from './runCommand';
import { Launch, ServerProcess, ServerProcessOptions } from './ServerProcess';

/** Debian's PostgreSQL 15, as scripts/postgres.sh uses it. */
export const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';

export type PostgresOptions = ServerProcessOptions & {
  /** The folder of PostgreSQL's binaries (default {@link POSTGRES_BIN}). */
  bin?: string;
};

/** The user and group ids of `postgres`, which a root test runs the server as. */
async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const entry = (await fs.readFile('/etc/passwd', 'utf8'))
    .split('\n')
    .map(line => line.split(':'))
    .find(fields => fields[0] === 'postgres');
  if (!entry) {
    throw new Error(
      "PostgreSQL refuses to run as root, and there is no 'postgres' user to run it as " +
        "(Debian's postgresql package creates it)",
    );
  }
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

/**
 * A throw-away PostgreSQL cluster on 127.0.0.1 with trust authentication (tests only), in
 * `<dir>/data`, initialised at the first start; its socket goes into that folder too. As root,
 * the server runs as the `postgres` user, which then owns the folder: `dir` must be reachable
 * for that user (a folder of its own under the system's temporary folder is).
 */
export class PostgresProcess extends ServerProcess {
  protected readonly stopSignal = 'SIGINT';
  private readonly bin: string;

  constructor(options: PostgresOptions) {
    super('postgres', options, { readyTimeoutMs: 60_000 });
    this.bin = options.bin ?? POSTGRES_BIN;
  }

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  /** `postgresql://postgres@127.0.0.1:<port>`, as Backstage's `TestDatabases` take it. */
  get connectionString(): string {
    return `postgresql://postgres@127.0.0.1:${this.port}`;
  }

  protected async launch(port: number): Promise<Launch> {
    const owner = process.getuid?.() === 0 ? await postgresUser() : undefined;
    await fs.mkdir(this.dataDir, { recursive: true, mode: 0o700 });
    if (owner) {
      await fs.chmod(this.dir, 0o755);
      await fs.chown(this.dataDir, owner.uid, owner.gid);
    }
    const initialised = await fs
      .access(join(this.dataDir, 'PG_VERSION'))
      .then(() => true)
      .catch(() => false);
    if (!initialised) {
      await runCommand(
        join(this.bin, 'initdb'),
        [
          `--pgdata=${this.dataDir}`,
          '--username=postgres',
          '--auth=trust',
          '--encoding=UTF8',
          '--locale=C.UTF-8',
        ],
        { ...owner, cwd: this.dataDir },
      );
    }
    return {
      command: join(this.bin, 'postgres'),
      args: [
        '-D',
        this.dataDir,
        '-p',
        String(port),
        '-k',
        this.dataDir,
        '-c',
        'listen_addresses=127.0.0.1',
        // Backstage's TestDatabases open a pool per logical database.
        '-c',
        'max_connections=200',
        '-c',
        'fsync=off',
      ],
      cwd: this.dataDir,
      ...owner,
    };
  }

  protected async isReady(): Promise<boolean> {
    await runCommand(join(this.bin, 'pg_isready'), [
      '--quiet',
      '--host=127.0.0.1',
      `--port=${this.port}`,
      '--username=postgres',
      '--timeout=2',
    ]);
    return true;
  }
}

/** Starts a {@link PostgresProcess} and answers it once it accepts connections. */
export function startPostgres(
  options: PostgresOptions,
): Promise<PostgresProcess> {
  return new PostgresProcess(options).start();
}
