import { ChildProcess, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { freePort, sleep } from './waiting';

/** What every process a test starts takes. */
export type ServerProcessOptions = {
  /** Its folder: its data, its configuration and its log `<name>.log`; made when missing. */
  dir: string;
  /**
   * Its port on 127.0.0.1. Without one, a free port is picked at the first start and kept, so
   * that a restarted process answers at the same address.
   */
  port?: number;
  /** How long `start()` waits for it to be ready, in milliseconds. */
  readyTimeoutMs?: number;
};

/** How to run the process, worked out at each start. */
export type Launch = {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Runs it as this user and group (a root test runs PostgreSQL as `postgres`). */
  uid?: number;
  gid?: number;
};

const STOP_TIMEOUT_MS = 10_000;
const LOG_TAIL_CHARS = 3000;

/**
 * A server a test runs as a child process: it can be started, stopped and started again on
 * the same port and data, or killed. Its output goes to `<dir>/<name>.log`, whose last lines
 * every start-up failure quotes.
 */
export abstract class ServerProcess {
  readonly dir: string;
  private child?: ChildProcess;
  private chosenPort?: number;
  private readonly readyTimeoutMs: number;

  protected constructor(
    /** Names the log file and the process in messages. */
    readonly name: string,
    options: ServerProcessOptions,
    defaults: { readyTimeoutMs: number },
  ) {
    this.dir = options.dir;
    this.chosenPort = options.port;
    this.readyTimeoutMs = options.readyTimeoutMs ?? defaults.readyTimeoutMs;
  }

  /** The command line, from the port the process listens on. */
  protected abstract launch(port: number): Promise<Launch> | Launch;

  /** Whether the process answers; errors count as "not yet". */
  protected abstract isReady(): Promise<boolean>;

  /** The signal of a clean shutdown. */
  protected readonly stopSignal: NodeJS.Signals = 'SIGTERM';

  get port(): number {
    if (this.chosenPort === undefined) {
      throw new Error(`${this.name} has no port before its first start`);
    }
    return this.chosenPort;
  }

  get logFile(): string {
    return join(this.dir, `${this.name}.log`);
  }

  get running(): boolean {
    const child = this.child;
    return Boolean(child && child.exitCode === null && !child.signalCode);
  }

  /** Starts the process and waits until it is ready; fails with its log's last lines. */
  async start(): Promise<this> {
    if (this.running) throw new Error(`${this.name} is already running`);
    await fs.mkdir(this.dir, { recursive: true });
    this.chosenPort ??= await freePort();
    const launch = await this.launch(this.chosenPort);
    const log = await fs.open(this.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(launch.command, launch.args, {
        stdio: ['ignore', log.fd, log.fd],
        env: launch.env ?? process.env,
        cwd: launch.cwd,
        uid: launch.uid,
        gid: launch.gid,
      });
    } finally {
      await log.close();
    }
    this.child = child;
    let spawnError: Error | undefined;
    child.once('error', error => {
      spawnError = error;
    });
    try {
      await this.waitReady(child, () => spawnError);
    } catch (error) {
      await this.stop('SIGKILL');
      throw new Error(
        `${(error as Error).message}\n--- last lines of ${
          this.logFile
        }:\n${await this.logTail()}`,
      );
    }
    return this;
  }

  private async waitReady(
    child: ChildProcess,
    spawnError: () => Error | undefined,
  ): Promise<void> {
    const deadline = Date.now() + this.readyTimeoutMs;
    for (;;) {
      const error = spawnError();
      if (error) {
        throw new Error(
          `${this.name} could not be started (${error.message}); install Debian's package ` +
            '(scripts/install-system.sh test)',
        );
      }
      if (child.exitCode !== null || child.signalCode) {
        throw new Error(
          `${this.name} exited (${
            child.exitCode ?? child.signalCode
          }) while starting`,
        );
      }
      if (await this.isReady().catch(() => false)) return;
      if (Date.now() > deadline) {
        throw new Error(
          `${this.name} was not ready on port ${this.port} within ${this.readyTimeoutMs} ms`,
        );
      }
      await sleep(100);
    }
  }

  /**
   * Stops the process and waits for it to exit: its clean shutdown by default, SIGKILL when
   * that takes longer than 10 s. Does nothing when it does not run.
   */
  async stop(signal: NodeJS.Signals = this.stopSignal): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.pid === undefined) return;
    if (child.exitCode !== null || child.signalCode) return;
    const exited = new Promise(resolve => child.once('exit', resolve));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  /** Kills the process (SIGKILL): no clean shutdown, as a crash or an evicted pod. */
  kill(): Promise<void> {
    return this.stop('SIGKILL');
  }

  /** The end of its log. */
  async logTail(): Promise<string> {
    const text = await fs.readFile(this.logFile, 'utf8').catch(() => '');
    return text.slice(-LOG_TAIL_CHARS);
  }
}

/** A server that speaks HTTP and says when it is ready at a path. */
export abstract class HttpServerProcess extends ServerProcess {
  /** `http://127.0.0.1:<port>` */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The path that answers 2xx once the server is ready. */
  protected abstract readonly readyPath: string;

  protected async isReady(): Promise<boolean> {
    return (await fetch(`${this.url}${this.readyPath}`)).ok;
  }
}
