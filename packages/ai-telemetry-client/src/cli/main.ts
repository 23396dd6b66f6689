import { parseArgs } from 'node:util';
import {
  FlushResult,
  TelemetryClient,
  TelemetryStatus,
} from '../TelemetryClient';
import { TelemetryEvent } from '../contract';
import { isError } from '../errors';
import { ENV, TelemetryClientOptions } from '../settings';
import { UsageError, integerFlag } from './args';
import { runReport } from '../report/reportCommand';
import { CliIo, EXIT, USAGE } from './usage';

const COMMON_OPTIONS = {
  endpoint: { type: 'string' },
  token: { type: 'string' },
  'queue-dir': { type: 'string' },
  retries: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const PUSH_OPTIONS = {
  ...COMMON_OPTIONS,
  language: { type: 'string' },
  accepted: { type: 'boolean' },
  rejected: { type: 'boolean' },
  lines: { type: 'string' },
  'wait-ms': { type: 'string' },
  activity: { type: 'string' },
  assistant: { type: 'string' },
  count: { type: 'string' },
  feature: { type: 'string' },
  seconds: { type: 'string' },
  'no-send': { type: 'boolean' },
} as const;

type PushValues = ReturnType<
  typeof parseArgs<{ options: typeof PUSH_OPTIONS; allowPositionals: true }>
>['values'];

function required(flag: string, value: string | undefined): string {
  if (value === undefined || value === '') {
    throw new UsageError(`--${flag} is required`);
  }
  return value;
}

function only(values: PushValues, allowed: string[], kind: string): void {
  const extra = Object.keys(values).find(
    key =>
      !allowed.includes(key) &&
      !Object.keys(COMMON_OPTIONS).includes(key) &&
      key !== 'no-send',
  );
  if (extra) {
    throw new UsageError(`--${extra} does not apply to push ${kind}`);
  }
}

/** The event a `push` command line describes. Values are checked again by the client. */
export function eventFromArgs(
  kind: string,
  values: PushValues,
): TelemetryEvent {
  switch (kind) {
    case 'suggestion': {
      only(
        values,
        [
          'language',
          'accepted',
          'rejected',
          'lines',
          'wait-ms',
          'activity',
          'assistant',
          'count',
        ],
        kind,
      );
      if (values.accepted === values.rejected) {
        throw new UsageError(
          'push suggestion needs exactly one of --accepted or --rejected',
        );
      }
      return {
        kind: 'suggestion',
        language: required('language', values.language),
        accepted: !!values.accepted,
        lines: integerFlag('lines', values.lines),
        waitMs: integerFlag('wait-ms', values['wait-ms']),
        activity: values.activity as never,
        assistant: values.assistant,
        count: integerFlag('count', values.count),
      };
    }
    case 'feature':
      only(values, ['feature', 'assistant', 'count'], kind);
      return {
        kind: 'feature',
        feature: required('feature', values.feature) as never,
        assistant: values.assistant,
        count: integerFlag('count', values.count),
      };
    case 'time-saved':
    case 'time_saved':
      only(values, ['activity', 'seconds', 'assistant'], 'time-saved');
      return {
        kind: 'time_saved',
        activity: required('activity', values.activity) as never,
        seconds: integerFlag('seconds', required('seconds', values.seconds))!,
        assistant: values.assistant,
      };
    default:
      throw new UsageError(
        `push needs an event kind: suggestion, feature or time-saved${
          kind ? `, got "${kind}"` : ''
        }`,
      );
  }
}

function clientOptions(
  values: {
    endpoint?: string;
    token?: string;
    'queue-dir'?: string;
    retries?: string;
  },
  io: CliIo,
): TelemetryClientOptions {
  const retries = integerFlag('retries', values.retries) ?? 2;
  return {
    env: io.env,
    endpoint: values.endpoint,
    token: values.token,
    queueDir: values['queue-dir'],
    flushIntervalMs: 0,
    flushAtEvents: 0,
    // A person waits for the command: a few quick retries, then the queue keeps the rest.
    retry: { maxAttempts: retries + 1, baseDelayMs: 500, maxDelayMs: 5000 },
    logger: { info: () => {}, warn: () => {} },
  };
}

/** Prints a flush's result and turns it into an exit code. */
function report(result: FlushResult, io: CliIo): number {
  const parts = [`sent ${result.sentEvents} event(s)`];
  if (result.duplicateBatches > 0) {
    parts.push(
      `${result.duplicateBatches} batch(es) the backend had already counted`,
    );
  }
  if (result.deadLetteredEvents > 0) {
    parts.push(`${result.deadLetteredEvents} refused as invalid`);
  }
  parts.push(`${result.remainingEvents} still queued`);
  io.out(parts.join(', '));
  if (result.message) {
    io.err(result.message);
  }
  switch (result.outcome) {
    case 'delivered':
      return result.deadLetteredEvents > 0 ? EXIT.deadLettered : EXIT.ok;
    case 'disabled':
      return EXIT.disabled;
    case 'unauthorized':
    case 'not-opted-in':
      return EXIT.refused;
    case 'error':
      return EXIT.failed;
    default:
      return EXIT.queued;
  }
}

const OFF_MESSAGE = `AI telemetry is off: nothing was recorded or sent. Set ${ENV.enabled}=enabled to turn it on.`;

async function pushCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: PUSH_OPTIONS,
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.out(USAGE);
    return EXIT.ok;
  }
  if (positionals.length > 1) {
    throw new UsageError(`unexpected argument "${positionals[1]}"`);
  }
  const event = eventFromArgs(positionals[0] ?? '', values);
  const client = new TelemetryClient(clientOptions(values, io));
  const recorded = await client.record(event);
  switch (recorded) {
    case 'disabled':
      io.err(OFF_MESSAGE);
      return EXIT.disabled;
    case 'paused': {
      const status = await client.status();
      io.err(status.paused?.message ?? 'Sending is paused.');
      return EXIT.refused;
    }
    case 'queue-full':
      io.err(
        `The queue in ${client.settings.queueDir} is full (${client.settings.maxQueuedEvents} events): this event was dropped. Check "fawkes-ai-telemetry status".`,
      );
      return EXIT.failed;
    default:
      break;
  }
  if (values['no-send']) {
    io.out(`recorded 1 event in ${client.settings.queueDir}`);
    return EXIT.ok;
  }
  return report(await client.flush({ force: true }), io);
}

async function flushCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: COMMON_OPTIONS,
    strict: true,
  });
  if (values.help) {
    io.out(USAGE);
    return EXIT.ok;
  }
  const client = new TelemetryClient(clientOptions(values, io));
  if (!client.enabled) {
    io.err(OFF_MESSAGE);
    return EXIT.disabled;
  }
  return report(await client.flush({ force: true }), io);
}

function formatStatus(status: TelemetryStatus): string[] {
  const lines = [
    `telemetry:    ${
      status.enabled ? 'enabled' : `off (set ${ENV.enabled}=enabled)`
    }`,
    `endpoint:     ${status.endpoint ?? `not set (${ENV.endpoint})`}`,
    `token:        ${
      status.tokenConfigured ? 'set' : `not set (${ENV.token})`
    }`,
    `queue:        ${status.queuedEvents} event(s) waiting, in ${status.queueDir}`,
    `dead letters: ${status.deadLetters} batch(es) refused as invalid`,
    `last sent:    ${status.lastSentAt ?? 'never'}`,
  ];
  if (status.paused) {
    lines.push(
      `paused:       since ${status.paused.since}: ${status.paused.message}`,
    );
  } else if (status.lastError) {
    // ISO timestamps compare as strings.
    const resolved =
      status.lastSentAt !== undefined &&
      status.lastSentAt > status.lastError.at;
    lines.push(
      `last error:   ${status.lastError.at}${
        resolved ? ' (sent successfully since)' : ''
      } ${status.lastError.message}`,
    );
  }
  if (status.nextAttemptAt) {
    lines.push(`next try:     ${status.nextAttemptAt}`);
  }
  return lines;
}

async function statusCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...COMMON_OPTIONS, json: { type: 'boolean' } },
    strict: true,
  });
  if (values.help) {
    io.out(USAGE);
    return EXIT.ok;
  }
  const client = new TelemetryClient(clientOptions(values, io));
  const current = await client.status();
  if (values.json) {
    io.out(JSON.stringify(current, null, 2));
  } else {
    formatStatus(current).forEach(line => io.out(line));
  }
  return EXIT.ok;
}

/** The default input and output: the process's streams and environment. */
export function processIo(): CliIo {
  return {
    out: line => process.stdout.write(`${line}\n`),
    err: line => process.stderr.write(`${line}\n`),
    env: process.env,
  };
}

/** Runs `fawkes-ai-telemetry` with the given arguments; resolves to the exit code. */
export async function runCli(
  argv: string[],
  io: CliIo = processIo(),
): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'push':
        return await pushCommand(rest, io);
      case 'flush':
        return await flushCommand(rest, io);
      case 'status':
        return await statusCommand(rest, io);
      case 'report':
        return await runReport(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return command === undefined ? EXIT.usage : EXIT.ok;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (!isError(error)) {
      io.err(`fawkes-ai-telemetry: ${String(error)}`);
      return EXIT.failed;
    }
    const usage =
      error.name === 'UsageError' ||
      error.name === 'InputError' ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    io.err(`fawkes-ai-telemetry: ${error.message}`);
    if (usage) {
      io.err('Run "fawkes-ai-telemetry --help" for the usage.');
      return EXIT.usage;
    }
    return EXIT.failed;
  }
}
