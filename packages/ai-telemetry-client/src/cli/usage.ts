import { ENV } from '../settings';

/** Where the command writes, and the environment it reads (replaced in tests). */
export type CliIo = {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
};

/** The exit codes, as the README documents them. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  disabled: 3,
  queued: 4,
  refused: 5,
  deadLettered: 6,
} as const;

export const USAGE = `usage: fawkes-ai-telemetry <command> [options]

Reports AI assistant usage to the Fawkes portal: counts and allow-listed labels only.
Off unless ${ENV.enabled}=enabled; endpoint and token from ${ENV.endpoint} and
${ENV.token} (the portal shows both at Settings → AI Telemetry).

commands:
  push suggestion --language ID (--accepted | --rejected) [--lines N] [--wait-ms N]
                  [--activity A] [--assistant ID] [--count N]
  push feature --feature F [--assistant ID] [--count N]
  push time-saved --activity A --seconds N [--assistant ID]
      record one event and send the queue (--no-send: only record it)
  flush           send what is queued now, ignoring any backoff
  status [--json] enabled or not, endpoint, queue length, last error
  report [--week YYYY-Www | --from ISO --to ISO] [--json] [--endpoint URL] [--token T]
      the organisation's figures for a week (default: the last complete ISO week,
      Monday 00:00 UTC) against the week before; Markdown, or JSON with --json.
      The token is the reporting service's (FAWKES_AI_TELEMETRY_REPORT_TOKEN).

options for push, flush and status:
  --endpoint URL   instead of ${ENV.endpoint}
  --token TOKEN    instead of ${ENV.token}
  --queue-dir DIR  instead of ${ENV.queueDir} (default ~/.fawkes/ai-telemetry/queue)
  --retries N      quick retries of a failed send before leaving it queued (default 2)
  -h, --help       this text

  A  activity: code_completion, code_generation, documentation
  F  feature: completion, chat, explain, document, test

exit codes: 0 delivered (report: printed), 1 failed, 2 bad usage or event, 3 telemetry off,
  4 queued but not delivered yet, 5 refused (token or opt-in), 6 refused as invalid`;
