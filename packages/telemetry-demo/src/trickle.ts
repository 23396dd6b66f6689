import { ENV, TelemetryClient } from '@fawkes/ai-telemetry-client';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, durationFlag, integerFlag } from './flags';
import { OTLP_ASSISTANTS, otlpAssistantOf } from './otlpDevelopers';
import { ExportOutcome, OtlpDeveloper, otlpMetricsUrl } from './otlpTrickle';
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
client of their own (their token, their queue), until stopped (Ctrl-C) or --duration. About 40 %
of them (and the guest) use Claude Code, Gemini CLI or Codex instead, and send that assistant's
OpenTelemetry metrics through the OpenTelemetry SDK to <endpoint>/otlp/v1/metrics. FILE holds
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
  /** Recorded and not yet delivered (events) or exported (OTLP metrics). */
  dirty: boolean;
} & (
  | { kind: 'events'; client: TelemetryClient }
  | { kind: 'otlp'; otlp: OtlpDeveloper }
);

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
  const developers = new Map<string, Developer>();
  /** OTLP developers replaced or gone, whose providers are still to be shut down. */
  const retired: OtlpDeveloper[] = [];

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
    const sync = (current: Map<string, string>) => {
      for (const [userRef, token] of current) {
        const known = developers.get(userRef);
        if (known?.token === token) {
          continue;
        }
        if (known?.kind === 'otlp') retired.push(known.otlp);
        const profile = known?.profile ?? developerProfile(random);
        const assistant = otlpAssistantOf(userRef);
        developers.set(
          userRef,
          assistant
            ? {
                kind: 'otlp',
                userRef,
                token,
                profile,
                dirty: false,
                otlp: new OtlpDeveloper({
                  userRef,
                  token,
                  assistant,
                  endpoint,
                  languages: profile.languages,
                  random,
                }),
              }
            : {
                kind: 'events',
                userRef,
                token,
                profile,
                dirty: known?.kind === 'events' ? known.dirty : true,
                client: new TelemetryClient({
                  enabled: true,
                  endpoint,
                  token,
                  queueDir: path.join(queueBase, queueName(userRef)),
                  flushIntervalMs: 0,
                  flushAtEvents: 0,
                  retry: {
                    maxAttempts: 2,
                    baseDelayMs: 500,
                    maxDelayMs: 30_000,
                  },
                  env: io.env,
                }),
              },
        );
      }
      for (const [userRef, developer] of [...developers]) {
        if (!current.has(userRef)) {
          if (developer.kind === 'otlp') retired.push(developer.otlp);
          developers.delete(userRef);
        }
      }
    };
    /** Shuts down the providers of OTLP developers replaced or gone (their last export may fail). */
    const shutDownRetired = async () => {
      const done = retired.splice(0);
      await Promise.all(done.map(otlp => otlp.shutdown()));
    };
    const otlpDevelopers = () =>
      [...developers.values()].flatMap(d => (d.kind === 'otlp' ? [d] : []));
    const describeOtlp = () => {
      const otlp = otlpDevelopers();
      const byAssistant = OTLP_ASSISTANTS.map(
        a => `${otlp.filter(d => d.otlp.assistant === a).length} ${a}`,
      ).join(', ');
      return `${
        otlp.length
      } of them through the OpenTelemetry SDK (${byAssistant}) → ${otlpMetricsUrl(
        endpoint,
      )}`;
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
    io.out(`demo-trickle: ${describeOtlp()}`);

    const totals = {
      recorded: 0,
      sent: 0,
      ticks: 0,
      turns: 0,
      measurements: 0,
      exported: 0,
      exportFailures: 0,
    };
    /** Adds up the OTLP developers' exports; one problem per developer whose export failed. */
    const countExports = (
      outcomes: ExportOutcome[],
      problems: Map<string, { count: number; message: string }>,
    ) => {
      for (const outcome of outcomes) {
        totals.exported += outcome.delivered;
        totals.exportFailures += outcome.failed;
        if (outcome.failed > 0) {
          const known = problems.get('OTLP export failed');
          problems.set('OTLP export failed', {
            count: (known?.count ?? 0) + 1,
            message: known?.message ?? outcome.error ?? 'unknown error',
          });
        }
      }
    };
    const describeProblems = (
      problems: Map<string, { count: number; message: string }>,
    ) =>
      [...problems].map(
        ([outcome, { count, message }]) =>
          `${count} developer(s) ${outcome}, e.g. ${message}`,
      );
    /**
     * Flushes the developers with queued events and exports the OTLP developers' metrics (all
     * at once: each has its own exporter); with `last`, shuts the OTLP providers down, which
     * exports what is left. One line per kind of problem.
     */
    const flushDirty = async (last = false) => {
      const problems = new Map<string, { count: number; message: string }>();
      const exports = Promise.all(
        otlpDevelopers()
          .filter(developer => last || developer.dirty)
          .map(developer => {
            developer.dirty = false;
            return last ? developer.otlp.shutdown() : developer.otlp.flush();
          }),
      );
      for (const developer of developers.values()) {
        if (developer.kind !== 'events' || !developer.dirty) {
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
      countExports(await exports, problems);
      return describeProblems(problems);
    };
    /** The OTLP part of a report line, when there are OTLP developers. */
    const otlpReport = (turns: number, exported: number, failed: number) =>
      otlpDevelopers().length === 0 && turns === 0 && exported === 0
        ? ''
        : `; OTLP: ${turns} turn(s), ${exported} export(s)${
            failed > 0 ? `, ${failed} failed` : ''
          }`;

    while (!stopping) {
      const mtime = (await fs.stat(tokensFile).catch(() => undefined))?.mtimeMs;
      if (mtime !== undefined && mtime !== tokensMtime) {
        const fresh = await readTokens(tokensFile).catch(() => undefined);
        if (fresh) {
          sync(fresh);
          await shutDownRetired();
          tokensMtime = mtime;
          io.out(
            `demo-trickle: ${tokensFile} changed, ${
              developers.size
            } developer(s), ${describeOtlp()}`,
          );
        }
      }
      const pool = [...developers.values()];
      const picks = Math.min(pool.length, random.int(1, usersPerTick));
      let recorded = 0;
      let turns = 0;
      for (let i = 0; i < picks; i++) {
        const [developer] = pool.splice(random.int(0, pool.length - 1), 1);
        if (developer.kind === 'otlp') {
          // An agent turn or two: a prompt and the work it sets off.
          const count = random.int(1, 2);
          for (let n = 0; n < count; n++) {
            totals.measurements += developer.otlp.turn(random);
          }
          turns += count;
          developer.dirty = true;
          continue;
        }
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
      totals.turns += turns;
      totals.ticks += 1;
      const before = { ...totals };
      const problems = await flushDirty();
      io.out(
        `demo-trickle: tick ${totals.ticks}: recorded ${recorded}, sent ${
          totals.sent - before.sent
        }${otlpReport(
          turns,
          totals.exported - before.exported,
          totals.exportFailures - before.exportFailures,
        )}`,
      );
      problems.forEach(problem => io.err(`demo-trickle: ${problem}`));
      if (!stopping) {
        await pause(intervalMs);
      }
    }

    const before = { ...totals };
    const problems = await flushDirty(true);
    await shutDownRetired();
    problems.forEach(problem => io.err(`demo-trickle: ${problem}`));
    io.out(
      `demo-trickle: last flush sent ${totals.sent - before.sent}${
        otlpDevelopers().length > 0
          ? `; OTLP providers shut down, ${
              totals.exported - before.exported
            } last export(s)`
          : ''
      }`,
    );
    io.out(
      `demo-trickle: stopped after ${totals.ticks} tick(s): recorded ${
        totals.recorded
      }, sent ${totals.sent} event(s)${otlpReport(
        totals.turns,
        totals.exported,
        totals.exportFailures,
      )}${totals.turns > 0 ? ` (${totals.measurements} measurement(s))` : ''}`,
    );
    return EXIT.ok;
  } finally {
    removeSignalHandler();
    // Whatever stopped the trickle, every provider is shut down (a no-op for those that are).
    await Promise.all(
      [...developers.values(), ...retired].map(developer =>
        developer instanceof OtlpDeveloper
          ? developer.shutdown()
          : developer.kind === 'otlp' && developer.otlp.shutdown(),
      ),
    );
    if (stopTimer) {
      clearTimeout(stopTimer);
    }
  }
}
