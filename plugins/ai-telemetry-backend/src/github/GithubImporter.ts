import { LoggerService } from '@backstage/backend-plugin-api';
import {
  GithubImportError,
  GithubImportRun,
} from '@fawkes/plugin-ai-telemetry-common';
import { CounterIncrement } from '../database/CounterStore';
import { GithubImportStore, LedgerEntry } from '../database/GithubImportStore';
import { OptInStore } from '../database/OptInStore';
import { GithubImportSettings } from '../config/AiTelemetryConfig';
import { DayReport, GithubClient } from './GithubClient';
import { GithubImportFailure } from './GithubImportFailure';
import { GithubLogins } from './GithubLogins';
import {
  dayOf,
  loginOf,
  mapReportLine,
  ReportLineError,
  ReportMappingSettings,
} from './mapping';
import { dayOfMs, dayStartMs, seriesOf } from './samples';
import { RemoteWriteSeries } from '../upstream/RemoteWriteClient';
import { SeatSnapshot, seatCounts } from './seats';

const DAY_MS = 86_400_000;
/** Ledger rows replayed per batch, and series per remote write. */
const ROWS_PER_WRITE = 200;
const SERIES_PER_WRITE = 5_000;
/** Fresh download links asked for when a report's links have expired. */
const LINK_REFRESHES = 2;

/** The names of the import's state in the store. */
export const STATE = { status: 'status', seats: 'seats' } as const;

/** What the store keeps about the import's runs (docs: `GithubImportStatusResponse`). */
export type ImportStatusState = {
  lastRun?: GithubImportRun;
  lastSuccessAt?: string;
  lastError?: GithubImportError;
  /** Set while the last run failed. */
  failing?: boolean;
  consecutiveFailures?: number;
  /** GitHub asked not to be called before then. */
  retryAt?: string;
  latestPublishedDay?: string;
};

/** A developer the import covers: opted in, with a GitHub login in the catalog. */
export type ImportedDeveloper = {
  userEntityRef: string;
  userHash: string;
  /** Lower case. */
  login: string;
};

/** Where the import writes its back-dated samples. */
export type SampleWriter = {
  write(series: readonly RemoteWriteSeries[]): Promise<void>;
};

/**
 * The import task (docs/architecture.md#the-github-copilot-import): on each run, writes any
 * imported day Prometheus has not taken yet, imports every report day from `backfillDays` ago to
 * the latest day GitHub has published for the developers it covers, and reads the seat counts.
 * Report lines of anyone else are dropped as they are read: never stored, logged or counted.
 */
export class GithubImporter {
  private readonly now: () => number;

  constructor(
    private readonly options: {
      client: GithubClient;
      store: GithubImportStore;
      optIns: Pick<OptInStore, 'listOptedIn'>;
      logins: Pick<GithubLogins, 'all'>;
      writer: SampleWriter;
      settings: GithubImportSettings;
      mapping: ReportMappingSettings;
      logger: LoggerService;
      now?: () => number;
    },
  ) {
    this.now = options.now ?? Date.now;
  }

  /** The developers the import covers now. */
  async developers(): Promise<ImportedDeveloper[]> {
    const [logins, optedIn] = await Promise.all([
      this.options.logins.all().catch(error => {
        throw new GithubImportFailure(
          'catalog',
          `The catalog could not be read for the Users' GitHub logins: ${
            (error as Error).message
          }`,
          { cause: error as Error },
        );
      }),
      this.options.optIns.listOptedIn(),
    ]);
    const developers: ImportedDeveloper[] = [];
    for (const { userEntityRef, userHash } of optedIn) {
      const login = logins.get(userEntityRef.toLocaleLowerCase('en-US'));
      if (login) developers.push({ userEntityRef, userHash, login });
    }
    return developers;
  }

  /** One run; never throws (a failure is recorded for admins, with when to try again). */
  async run(): Promise<ImportStatusState> {
    const { store, logger, settings } = this.options;
    const state: ImportStatusState =
      (await store.readState<ImportStatusState>(STATE.status)) ?? {};
    const startedAt = new Date(this.now());
    if (state.retryAt && Date.parse(state.retryAt) > startedAt.getTime()) {
      logger.info(
        `GitHub Copilot import: GitHub asked to wait until ${state.retryAt}; skipping this run`,
      );
      return state;
    }
    const run: GithubImportRun = {
      startedAt: startedAt.toISOString(),
      outcome: 'running',
      daysImported: 0,
      daysNotPublished: 0,
    };
    await store.writeState(STATE.status, { ...state, lastRun: run });

    let failure: GithubImportFailure | undefined;
    let day: string | undefined;
    try {
      if (settings.sourceOfTruth === 'import') {
        await this.writePending();
        const outcome = await this.importDays(run, current => {
          day = current;
        });
        day = undefined;
        if (outcome.latestPublishedDay) {
          state.latestPublishedDay = outcome.latestPublishedDay;
        }
      }
      await this.readSeats();
    } catch (error) {
      failure =
        error instanceof GithubImportFailure
          ? error
          : internalFailure(error as Error, logger);
    }

    const finishedAt = new Date(this.now()).toISOString();
    const next: ImportStatusState = {
      ...state,
      lastRun: {
        ...run,
        finishedAt,
        outcome: failure ? 'failed' : 'succeeded',
      },
    };
    if (failure) {
      const consecutiveFailures = (state.consecutiveFailures ?? 0) + 1;
      next.failing = true;
      next.consecutiveFailures = consecutiveFailures;
      next.retryAt = failure.retryAt?.toISOString();
      next.lastError = {
        reason: failure.reason,
        message: failure.message,
        ...(failure.status !== undefined && { status: failure.status }),
        at: finishedAt,
        ...(day && { day }),
        ...(failure.retryAt && { retryAt: failure.retryAt.toISOString() }),
        consecutiveFailures,
      };
      logger.warn(
        `GitHub Copilot import failed (${failure.reason}): ${failure.message}`,
      );
    } else {
      next.failing = false;
      next.consecutiveFailures = 0;
      delete next.retryAt;
      delete next.lastError;
      next.lastSuccessAt = finishedAt;
      logger.info(
        `GitHub Copilot import: ${run.daysImported} report days imported, ${run.daysNotPublished} not published yet`,
      );
    }
    await store.writeState(STATE.status, next);
    return next;
  }

  /** Writes to Prometheus the imported days it has not taken yet (a run cut short before it). */
  async writePending(): Promise<void> {
    for (;;) {
      const pending = await this.options.store.unwritten(ROWS_PER_WRITE);
      if (pending.length === 0) return;
      await this.write(pending);
    }
  }

  /**
   * Imports each day from `backfillDays` ago to yesterday for the covered developers who do not
   * have it yet. A day GitHub has not published is skipped and asked for again on the next run.
   */
  private async importDays(
    run: GithubImportRun,
    onDay: (day: string) => void,
  ): Promise<{ latestPublishedDay?: string }> {
    const { store, settings } = this.options;
    const developers = await this.developers();
    const hashes = developers.map(d => d.userHash);
    const today = dayStartMs(dayOfMs(this.now()));
    const since = await store.cover(hashes, {
      backfillFrom: dayOfMs(today - settings.backfillDays * DAY_MS),
      clientsUntil: dayOfMs(today + DAY_MS),
    });
    const latest = await store.latestDays(hashes);
    let latestPublishedDay: string | undefined;
    for (let back = settings.backfillDays; back >= 1; back--) {
      const day = dayOfMs(today - back * DAY_MS);
      const needed = developers.filter(
        d =>
          (since.get(d.userHash) ?? '') <= day &&
          (latest.get(d.userHash) ?? '') < day,
      );
      if (needed.length === 0) continue;
      onDay(day);
      const lines = await this.readDay(day, needed);
      if (!lines) {
        run.daysNotPublished += 1;
        continue;
      }
      latestPublishedDay = day;
      const written = await store.importDay(
        day,
        needed.map(developer => ({
          userHash: developer.userHash,
          active: lines.has(developer.login),
          increments: lines.get(developer.login) ?? [],
        })),
      );
      await this.write(written);
      for (const entry of written) latest.set(entry.userHash, day);
      run.daysImported += 1;
      await store.writeState(STATE.status, {
        ...((await store.readState<ImportStatusState>(STATE.status)) ?? {}),
        lastRun: run,
      });
    }
    return { latestPublishedDay };
  }

  /**
   * The day's increments per login of `developers`, or undefined when the day is not published.
   * Lines of other logins are dropped as they are read. Expired download links are replaced by
   * fresh ones, and the day is read again from its start.
   */
  private async readDay(
    day: string,
    developers: readonly ImportedDeveloper[],
  ): Promise<Map<string, CounterIncrement[]> | undefined> {
    const { client } = this.options;
    const wanted = new Set(developers.map(d => d.login));
    for (let refresh = 0; ; refresh++) {
      const report: DayReport = await client.usersDayReport(day);
      if (!report.published) return undefined;
      const lines = new Map<string, CounterIncrement[]>();
      try {
        for (const link of report.downloadLinks) {
          await client.readReport(link, line => {
            const login = loginOf(line);
            if (login === undefined || !wanted.has(login)) return;
            const lineDay = dayOf(line);
            if (lineDay !== undefined && lineDay !== day) {
              throw new GithubImportFailure(
                'invalid_report',
                `The report of ${day} holds a line of ${lineDay}`,
              );
            }
            let increments: CounterIncrement[];
            try {
              increments = mapReportLine(line, this.options.mapping);
            } catch (error) {
              if (error instanceof ReportLineError) {
                throw new GithubImportFailure(
                  'invalid_report',
                  `A line of the report of ${day} is not as documented: ${error.message}`,
                );
              }
              throw error;
            }
            lines.set(login, [...(lines.get(login) ?? []), ...increments]);
          });
        }
        return lines;
      } catch (error) {
        if (
          error instanceof GithubImportFailure &&
          error.reason === 'link_expired' &&
          refresh < LINK_REFRESHES
        ) {
          this.options.logger.info(
            `GitHub Copilot import: a download link of the report of ${day} had expired; asking for fresh links`,
          );
          continue;
        }
        throw error;
      }
    }
  }

  /** Writes ledger rows' samples to Prometheus, then records that it took them. */
  private async write(entries: readonly LedgerEntry[]): Promise<void> {
    const { writer, store } = this.options;
    let batch: LedgerEntry[] = [];
    let series: RemoteWriteSeries[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      try {
        await writer.write(series);
      } catch (error) {
        throw new GithubImportFailure(
          'prometheus',
          `The imported days could not be written to Prometheus (they are kept and written on the next run): ${
            (error as Error).message
          }`,
          { cause: error as Error },
        );
      }
      await store.markWritten(batch, new Date(this.now()));
      batch = [];
      series = [];
    };
    for (const entry of entries) {
      const more = seriesOf(entry);
      if (series.length + more.length > SERIES_PER_WRITE) await flush();
      batch.push(entry);
      series.push(...more);
    }
    await flush();
  }

  /** Reads the seats (counts only) and keeps them as the latest snapshot. */
  private async readSeats(): Promise<void> {
    const { client, store, settings } = this.options;
    const [activity, breakdown] = await Promise.all([
      client.seatActivity(),
      client.seatBreakdown(),
    ]);
    const snapshot: SeatSnapshot = {
      scope: settings.scope,
      fetchedAt: new Date(this.now()).toISOString(),
      counts: seatCounts(activity.total, activity.seats, breakdown, this.now()),
    };
    await store.writeState(STATE.seats, snapshot);
  }
}

/**
 * An unexpected error (a database or programming fault) as the admins see it: its message may
 * carry SQL with pseudonyms or other rows, so the status shows only what kind of error it was;
 * the backend log has the message.
 */
function internalFailure(
  error: Error,
  logger: LoggerService,
): GithubImportFailure {
  logger.error(`GitHub import failed unexpectedly: ${error.message}`);
  return new GithubImportFailure(
    'internal',
    `An unexpected ${
      error.name ?? 'error'
    } stopped the import; the backend log has the details.`,
    { cause: error },
  );
}
