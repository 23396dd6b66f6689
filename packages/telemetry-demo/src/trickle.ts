import { ENV, TelemetryClient } from '@fawkes/ai-telemetry-client';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, durationFlag, integerFlag } from './flags';
import { createRandom } from './random';
import {
  DeveloperProfile,
  developerProfile,
  randomEvent,
} from './randomEvents';

/** The local development backend, where `yarn start` serves the plugin. */
const DEFAULT_ENDPOINT = 'http://localhost:7007/api/ai-telemetry';

export const TRICKLE_USAGE = `usage: yarn workspace @fawkes/ai-telemetry-demo trickle --tokens FILE [options]

Keeps sending small random batches of events for the demo's opted-in developers, each through a
client of their own (their token, their queue), until stopped (Ctrl-C) or --duration. FILE holds
{ "<userEntityRef>": "<token>" }: the backend writes it in development (.data/demo-tokens.json).

  --tokens FILE        the tokens file (required)
  --endpoint URL       the plugin's base URL  (default ${ENV.endpoint}, else ${DEFAULT_ENDPOINT})
  --interval D         time between ticks: 500ms, 5s, 10m, 2h            (default 5s)
  --users-per-tick N   most developers who send in one tick, 1 to 100    (default 3)
  --seed N             the same seed replays the same events             (default: the clock)
  --duration D         stop after this long                              (default: when stopped)
  --wait-for-tokens D  how long to wait for FILE to appear               (default 2m)
  --queue-dir DIR      the developers' queues        (default <dir of FILE>/demo-trickle-queue)
Relative paths are taken from the repository root.`;

/** Where the trickle writes, the environment it reads, and its stop signal (replaced in tests). */
export type TrickleIo = {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
  /** Registers a handler for SIGINT/SIGTERM; returns a function that removes it. */
  onSignal(handler: () => void): () => void;
};

/** The exit codes: stopped as asked, failed, bad usage. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** The process's streams, environment and signals. */
export function processIo(): TrickleIo {
  return {
    out: line => process.stdout.write(`${line}\n`),
    err: line => process.stderr.write(`${line}\n`),
    env: process.env,
    onSignal(handler) {
      process.on('SIGINT', handler);
      process.on('SIGTERM', handler);
      return () => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      };
    },
  };
}

type Developer = {
  userRef: string;
  token: string;
  profile: DeveloperProfile;
  client: TelemetryClient;
  /** Events recorded and not yet confirmed delivered. */
  dirty: boolean;
};

/** Reads `{ "<userEntityRef>": "<token>" }`; undefined while the file does not exist. */
async function readTokens(
  file: string,
): Promise<Map<string, string> | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not JSON: ${error}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(
      `${file} must hold an object { "<userEntityRef>": "<token>" }`,
    );
  }
  const tokens = new Map<string, string>();
  for (const [userRef, token] of Object.entries(parsed)) {
    if (typeof token !== 'string' || token === '') {
      throw new UsageError(`${file}: the token of ${userRef} is not a string`);
    }
    tokens.set(userRef, token);
  }
  return tokens;
}

/** A directory name for a user's queue: readable, and unique by a hash. */
function queueName(userRef: string): string {
  const readable = userRef.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 60);
  const hash = createHash('sha256').update(userRef).digest('hex').slice(0, 8);
  return `${readable}-${hash}`;
}

/**
 * `trickle`: a live trickle of realistic events for the demo's opted-in developers,
 * each through a {@link TelemetryClient} of their own (their token, their queue), so
 * the portal's numbers move while it runs. Every tick picks a few developers and
 * records a few events for each, then flushes. The tokens file is read again when it
 * changes (the backend re-issues tokens when its database is new). SIGINT/SIGTERM or
 * the end of `--duration` stop it after a last flush. Resolves to the exit code.
 */
export async function runTrickle(
  argv: string[],
  io: TrickleIo,
): Promise<number> {
  try {
    return await trickle(argv, io);
  } catch (error) {
    const usage =
      error instanceof UsageError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    if (!usage) {
      throw error;
    }
    io.err(`demo-trickle: ${(error as Error).message}`);
    io.err(
      'Run "yarn workspace @fawkes/ai-telemetry-demo trickle --help" for the usage.',
    );
    return EXIT.usage;
  }
}

async function trickle(argv: string[], io: TrickleIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      tokens: { type: 'string' },
      interval: { type: 'string' },
      seed: { type: 'string' },
      duration: { type: 'string' },
      'users-per-tick': { type: 'string' },
      'wait-for-tokens': { type: 'string' },
      endpoint: { type: 'string' },
      'queue-dir': { type: 'string' },
      token: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    io.out(TRICKLE_USAGE);
    return EXIT.ok;
  }
  if (values.token) {
    throw new UsageError(
      'the trickle takes its tokens from --tokens FILE, not --token',
    );
  }
  if (!values.tokens) {
    throw new UsageError(
      'the trickle needs --tokens FILE ({ "<userEntityRef>": "<token>" }, e.g. .data/demo-tokens.json)',
    );
  }
  // `yarn workspace` runs in this package's folder: paths are taken from where it was typed.
  const base = io.env.PROJECT_CWD ?? process.cwd();
  const tokensFile = path.resolve(base, values.tokens);
  const intervalMs = durationFlag('interval', values.interval) ?? 5000;
  const durationMs = durationFlag('duration', values.duration);
  const waitMs =
    durationFlag('wait-for-tokens', values['wait-for-tokens']) ?? 120_000;
  const usersPerTick =
    integerFlag('users-per-tick', values['users-per-tick']) ?? 3;
  const seed = integerFlag('seed', values.seed) ?? Date.now() % 2 ** 31;
  if (intervalMs < 100) {
    throw new UsageError('--interval must be at least 100ms');
  }
  if (usersPerTick < 1 || usersPerTick > 100) {
    throw new UsageError('--users-per-tick must be from 1 to 100');
  }
  const endpoint = values.endpoint ?? io.env[ENV.endpoint] ?? DEFAULT_ENDPOINT;
  const queueBase = path.resolve(
    base,
    values['queue-dir'] ??
      path.join(path.dirname(tokensFile), 'demo-trickle-queue'),
  );

  let stopping = false;
  let wake: () => void = () => {};
  const pause = (ms: number) =>
    new Promise<void>(resolve => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const stop = () => {
    stopping = true;
    wake();
  };
  const removeSignalHandler = io.onSignal(stop);
  const stopTimer =
    durationMs !== undefined ? setTimeout(stop, durationMs) : undefined;

  try {
    const started = Date.now();
    let tokens = await readTokens(tokensFile);
    while (!tokens && !stopping && Date.now() - started < waitMs) {
      io.err(`demo-trickle: waiting for ${tokensFile}`);
      await pause(Math.min(2000, waitMs));
      tokens = await readTokens(tokensFile);
    }
    if (!tokens) {
      if (stopping) {
        return EXIT.ok;
      }
      io.err(
        `demo-trickle: ${tokensFile} did not appear within ${waitMs} ms (the backend writes it in development)`,
      );
      return EXIT.failed;
    }

    const random = createRandom(seed);
    const developers = new Map<string, Developer>();
    const sync = (current: Map<string, string>) => {
      for (const [userRef, token] of current) {
        const known = developers.get(userRef);
        if (known?.token === token) {
          continue;
        }
        developers.set(userRef, {
          userRef,
          token,
          profile: known?.profile ?? developerProfile(random),
          dirty: known?.dirty ?? true,
          client: new TelemetryClient({
            enabled: true,
            endpoint,
            token,
            queueDir: path.join(queueBase, queueName(userRef)),
            flushIntervalMs: 0,
            flushAtEvents: 0,
            retry: { maxAttempts: 2, baseDelayMs: 500, maxDelayMs: 30_000 },
            env: io.env,
          }),
        });
      }
      for (const userRef of [...developers.keys()]) {
        if (!current.has(userRef)) {
          developers.delete(userRef);
        }
      }
    };
    sync(tokens);
    let tokensMtime = (await fs.stat(tokensFile)).mtimeMs;
    io.out(
      `demo-trickle: ${
        developers.size
      } developer(s) → ${endpoint}, every ${intervalMs} ms, seed ${seed}${
        durationMs !== undefined ? `, for ${durationMs} ms` : ''
      } (Ctrl-C stops)`,
    );

    const totals = { recorded: 0, sent: 0, ticks: 0 };
    /** Flushes the developers with queued events; one line per kind of problem. */
    const flushDirty = async () => {
      const problems = new Map<string, { count: number; message: string }>();
      for (const developer of developers.values()) {
        if (!developer.dirty) {
          continue;
        }
        const result = await developer.client.flush();
        totals.sent += result.sentEvents;
        developer.dirty = result.remainingEvents > 0;
        if (result.message && result.outcome !== 'delivered') {
          const known = problems.get(result.outcome);
          problems.set(result.outcome, {
            count: (known?.count ?? 0) + 1,
            message: known?.message ?? result.message,
          });
        }
      }
      return [...problems].map(
        ([outcome, { count, message }]) =>
          `${count} developer(s) ${outcome}, e.g. ${message}`,
      );
    };

    while (!stopping) {
      const mtime = (await fs.stat(tokensFile).catch(() => undefined))?.mtimeMs;
      if (mtime !== undefined && mtime !== tokensMtime) {
        const fresh = await readTokens(tokensFile).catch(() => undefined);
        if (fresh) {
          sync(fresh);
          tokensMtime = mtime;
          io.out(
            `demo-trickle: ${tokensFile} changed, ${developers.size} developer(s)`,
          );
        }
      }
      const pool = [...developers.values()];
      const picks = Math.min(pool.length, random.int(1, usersPerTick));
      let recorded = 0;
      for (let i = 0; i < picks; i++) {
        const [developer] = pool.splice(random.int(0, pool.length - 1), 1);
        const events = random.int(1, 4);
        for (let e = 0; e < events; e++) {
          const result = await developer.client.record(
            randomEvent(random, developer.profile),
          );
          if (result === 'queued') {
            recorded += 1;
            developer.dirty = true;
          }
        }
      }
      totals.recorded += recorded;
      totals.ticks += 1;
      const before = totals.sent;
      const problems = await flushDirty();
      io.out(
        `demo-trickle: tick ${totals.ticks}: recorded ${recorded}, sent ${
          totals.sent - before
        }`,
      );
      problems.forEach(problem => io.err(`demo-trickle: ${problem}`));
      if (!stopping) {
        await pause(intervalMs);
      }
    }

    const before = totals.sent;
    const problems = await flushDirty();
    problems.forEach(problem => io.err(`demo-trickle: ${problem}`));
    io.out(`demo-trickle: last flush sent ${totals.sent - before}`);
    io.out(
      `demo-trickle: stopped after ${totals.ticks} tick(s): recorded ${totals.recorded}, sent ${totals.sent} event(s)`,
    );
    return EXIT.ok;
  } finally {
    removeSignalHandler();
    if (stopTimer) {
      clearTimeout(stopTimer);
    }
  }
}
