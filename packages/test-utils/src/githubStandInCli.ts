/* eslint-disable no-console */
/**
 * The GitHub stand-in for development (scripts/dev.sh starts it): serves the demo organisation's
 * Copilot usage reports and seats on 127.0.0.1, so that the portal's GitHub import runs the same
 * code path as against GitHub. Every catalog User with a `github.com/user-login` annotation gets a
 * report line for each day of the last `--days` (fewer on weekends); every User holds a seat.
 *
 * usage: yarn workspace @fawkes/ai-telemetry-test-utils github-stand-in
 *          --org examples/org.yaml [--port 9096] [--days 30] [--seed 42]
 *          [--organization fawkes] [--token fawkes-demo-stand-in-token]
 */
import {
  createRandom,
  GITHUB_LOGIN_ANNOTATION,
} from '@fawkes/ai-telemetry-demo';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { copilotReportLine, copilotSeats } from './githubReports';
import { GithubReportLine, startGithubStandIn } from './GithubStandIn';

const DAY_MS = 86_400_000;

type CatalogUser = { name: string; login?: string };

function usersOf(file: string): CatalogUser[] {
  const users: CatalogUser[] = [];
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    const entity = doc.toJSON() as {
      kind?: string;
      metadata?: { name?: string; annotations?: Record<string, string> };
    } | null;
    if (entity?.kind !== 'User' || !entity.metadata?.name) continue;
    users.push({
      name: entity.metadata.name,
      login: entity.metadata.annotations?.[GITHUB_LOGIN_ANNOTATION],
    });
  }
  return users;
}

/** One day's report: a line per login, most developers active on a working day. */
function dayReport(
  day: string,
  logins: readonly string[],
  seed: number,
): GithubReportLine[] {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  const weekend = weekday === 0 || weekday === 6;
  const lines: GithubReportLine[] = [];
  logins.forEach((login, index) => {
    const random = createRandom(seed, 'github-report', login, day);
    if (!random.chance(weekend ? 0.15 : 0.85)) return;
    const habit = createRandom(seed, 'github-habit', login).next();
    lines.push(
      copilotReportLine(random, {
        login,
        userId: 1000 + index,
        day,
        activity: (weekend ? 0.3 : 1) * (0.4 + 1.2 * habit),
      }),
    );
  });
  return lines;
}

async function main() {
  const { values } = parseArgs({
    options: {
      org: { type: 'string' },
      port: { type: 'string', default: '9096' },
      days: { type: 'string', default: '30' },
      seed: { type: 'string', default: '42' },
      organization: { type: 'string', default: 'fawkes' },
      token: { type: 'string', default: 'fawkes-demo-stand-in-token' },
    },
  });
  if (!values.org) throw new Error('--org FILE (the catalog YAML) is required');
  const file = resolve(process.env.PROJECT_CWD ?? process.cwd(), values.org);
  const users = usersOf(file);
  const logins = users.flatMap(u => (u.login ? [u.login] : []));
  const seed = Number(values.seed);
  const days = Number(values.days);
  const standIn = await startGithubStandIn({
    organization: values.organization!,
    token: values.token!,
    port: Number(values.port),
  });
  standIn.setSeats(
    copilotSeats(
      createRandom(seed, 'github-seats'),
      users.map(u => u.login ?? `${u.name.replace(/[^a-z0-9]+/gi, '-')}-seat`),
      Date.now(),
    ),
    2,
  );
  const published = new Set<string>();
  // Every day that has ended is published; a day that ends while this runs, a minute later.
  const publish = () => {
    const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    for (let back = days; back >= 1; back--) {
      const day = new Date(today - back * DAY_MS).toISOString().slice(0, 10);
      if (published.has(day)) continue;
      standIn.publish(day, dayReport(day, logins, seed));
      published.add(day);
    }
  };
  publish();
  setInterval(publish, 60_000).unref();
  console.log(
    `GitHub stand-in for ${values.organization} on ${standIn.url}: ${logins.length} developers with a login, ${users.length} seats, ${published.size} days published`,
  );
  const stop = async () => {
    await standIn.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch(error => {
  console.error(`github-stand-in: ${error.message ?? error}`);
  process.exit(1);
});
