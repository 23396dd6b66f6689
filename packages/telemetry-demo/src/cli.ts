/* eslint-disable no-console */
import { writeFileSync } from 'fs';
import { resolve } from 'path';
import { parseArgs } from 'util';
import {
  blockWindows,
  DEVELOPMENT_PSEUDONYM_KEY,
  makePeriod,
  parseDuration,
  writeDemoMetrics,
} from './generate';
import { FileSink } from './openmetrics';
import { withGithubLogins } from './githubLogins';
import { buildOrg, catalogHeader, orgToCatalogYaml } from './org';
import { processIo, runTrickle } from './trickle';

const USAGE = `usage: yarn workspace @fawkes/ai-telemetry-demo generate [options]
       yarn workspace @fawkes/ai-telemetry-demo trickle --tokens FILE [options]

generate: the Fawkes demo organisation (Backstage catalog YAML) and its AI telemetry history
(OpenMetrics text for promtool tsdb create-blocks-from openmetrics): every counter of the
contract, the OTLP-fed ones for the developers whose agent reports over OTLP (about 40 %, on
Claude Code, Gemini CLI or Codex). Deterministic for a seed.
trickle: live events and OTLP metrics of the demo's developers, sent to a running backend
(trickle --help).

options of generate:
  --users N          users in the catalog, the guest included      (default 48)
  --teams T          teams                             (default: about one per 6 users, at least 6)
  --days D           days of history                                 (default 30)
  --step DURATION    time between samples, e.g. 15m or 1h            (default 15m)
  --seed S           seed of the generator                           (default 42)
  --key KEY          pseudonym key                  (default the development key of app-config.yaml)
  --end TIME         last sample, ISO 8601 or epoch seconds          (default now)
  --org-out FILE     write the catalog YAML (Groups and Users) to FILE
  --metrics-out FILE write the OpenMetrics text to FILE
  --block-hours H    split the OpenMetrics text into one file per H-hour window aligned to the
                     epoch, FILE-1.om, FILE-2.om, ... (486 is the block length that
                     promtool's --max-block-duration=720h uses: then each file is one block and
                     promtool reads every file once, instead of the whole set once per block)
  --no-github-logins no user gets a GitHub login: every Copilot history is written here (for a
                     portal without the GitHub import)
Relative paths are taken from the repository root.`;

function parsePositiveInt(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`--${name} must be a positive whole number, not "${text}"`);
  }
  return value;
}

function parseEnd(text: string | undefined): number {
  if (text === undefined) return Math.floor(Date.now() / 1000);
  if (/^\d+$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) {
    throw new Error(`--end must be ISO 8601 or epoch seconds, not "${text}"`);
  }
  return Math.floor(ms / 1000);
}

/**
 * `yarn workspace` runs the script in this package's folder and does not say where it was typed,
 * so relative paths are taken from the repository root (yarn's PROJECT_CWD).
 */
function outputPath(file: string): string {
  return resolve(process.env.PROJECT_CWD ?? process.cwd(), file);
}

async function generate(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      users: { type: 'string', default: '48' },
      teams: { type: 'string' },
      days: { type: 'string', default: '30' },
      step: { type: 'string', default: '15m' },
      seed: { type: 'string', default: '42' },
      key: { type: 'string', default: DEVELOPMENT_PSEUDONYM_KEY },
      end: { type: 'string' },
      'org-out': { type: 'string' },
      'metrics-out': { type: 'string' },
      'block-hours': { type: 'string' },
      // Without the GitHub import (a run with no aiTelemetry.github): no user gets a GitHub
      // login, so every user's Copilot history is written here.
      'no-github-logins': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values['org-out'] && !values['metrics-out']) {
    throw new Error(
      'nothing to do: give --org-out FILE and/or --metrics-out FILE',
    );
  }
  if (!values.key) {
    throw new Error('--key must not be empty');
  }
  const users = parsePositiveInt('users', values.users);
  const teams =
    values.teams === undefined
      ? undefined
      : parsePositiveInt('teams', values.teams);
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) {
    throw new Error(`--seed must be a whole number, not "${values.seed}"`);
  }
  const built = buildOrg({ users, teams, seed });
  const org = values['no-github-logins']
    ? built
    : withGithubLogins(built, seed);

  if (values['org-out']) {
    const header = catalogHeader(org, {
      users,
      teams,
      seed,
      orgOut: values['org-out'],
    });
    writeFileSync(outputPath(values['org-out']), orgToCatalogYaml(org, header));
    console.error(
      `org: ${org.users.length} users, ${org.groups.length} groups -> ${values['org-out']}`,
    );
  }

  if (values['metrics-out']) {
    const days = Number(values.days);
    if (!(days > 0)) {
      throw new Error(`--days must be a positive number, not "${values.days}"`);
    }
    const period = makePeriod(
      days,
      parseDuration(values.step),
      parseEnd(values.end),
    );
    const startedAt = Date.now();
    const out = outputPath(values['metrics-out']);
    const windows =
      values['block-hours'] === undefined
        ? [{ from: -Infinity, to: Infinity }]
        : blockWindows(
            period,
            parsePositiveInt('block-hours', values['block-hours']),
          );
    const targets = windows.map((w, i) => ({
      ...w,
      path:
        windows.length === 1 && values['block-hours'] === undefined
          ? out
          : `${out.replace(/\.om$/, '')}-${i + 1}.om`,
    }));
    const sinks = targets.map(t => ({ ...t, sink: new FileSink(t.path) }));
    try {
      const summary = await writeDemoMetrics(
        org,
        { seed, key: values.key, period },
        sinks,
      );
      const seconds = (Date.now() - startedAt) / 1000;
      console.error(
        `metrics: ${summary.users} users, ${summary.series} series, ${summary.samples} samples ` +
          `(${new Date(period.start * 1000).toISOString()} .. ${new Date(
            (period.start + (period.samples - 1) * period.step) * 1000,
          ).toISOString()}, step ${period.step}s) -> ${targets
            .map(t => t.path)
            .join(', ')} in ${seconds.toFixed(1)}s; ` +
          `acceptance ${(
            (100 * summary.accepted) /
            Math.max(1, summary.suggestions)
          ).toFixed(1)}%, ` +
          `${summary.lines} lines, ${summary.timeSavedHours.toFixed(
            0,
          )} h saved; OTLP: ${Object.entries(summary.otlpUsers)
            .map(([assistant, n]) => `${n} ${assistant}`)
            .join(', ')} users, ${summary.sessions} sessions, ${(
            summary.tokens / 1e6
          ).toFixed(0)} M tokens, $${summary.costUsd.toFixed(0)}`,
      );
    } finally {
      for (const { sink } of sinks) sink.close();
    }
  }
}

/** Runs a command; resolves to the exit code. */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'generate':
      await generate(rest);
      return 0;
    case 'trickle':
      return await runTrickle(rest, processIo());
    case undefined:
    case '--help':
    case '-h':
      console.log(USAGE);
      return 0;
    default:
      throw new Error(`unknown command "${command}"\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).then(
  code => {
    process.exitCode = code;
  },
  error => {
    console.error(
      `error: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exitCode = 1;
  },
);
