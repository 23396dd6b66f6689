import { ServiceUnavailableError } from '@backstage/errors';
import {
  CopilotSeatsResponse,
  GithubImportStatusResponse,
  GithubNotImportedReason,
  MyDataGithubImport,
  MyGithubImportResponse,
} from '@fawkes/plugin-ai-telemetry-common';
import { GithubImportSettings } from '../config/AiTelemetryConfig';
import { GithubImportStore } from '../database/GithubImportStore';
import { OptInStore } from '../database/OptInStore';
import { PseudonymCache } from '../optIn/PseudonymCache';
import { ImportStatusState, STATE } from './GithubImporter';
import { GithubLogins } from './GithubLogins';
import { dayOfMs } from './samples';
import { SeatSnapshot } from './seats';

const DAY_MS = 86_400_000;

const NOT_IMPORTED: Record<GithubNotImportedReason, string> = {
  not_configured:
    'The GitHub Copilot import is off in this portal (no aiTelemetry.github in its configuration).',
  clients_are_source_of_truth:
    'This portal counts Copilot from your IDE clients, not from GitHub (aiTelemetry.github.sourceOfTruth is clients).',
  not_opted_in:
    'Your Copilot usage is imported from GitHub only while AI telemetry is on for you.',
  no_login:
    'Your catalog User has no github.com/user-login annotation, so the import cannot tell which GitHub lines are yours.',
  not_in_catalog:
    'You are not a User in the catalog, so the import cannot find your GitHub login.',
};

/**
 * What the portal reads about the GitHub Copilot import: its state for everyone (the last error
 * for admins only), the seat counts, and a developer's own import.
 */
export class GithubImportService {
  private readonly now: () => number;

  constructor(
    private readonly options: {
      /** Absent when `aiTelemetry.github` is not configured. */
      settings?: GithubImportSettings;
      store: GithubImportStore;
      logins: Pick<GithubLogins, 'of'>;
      optIns: Pick<OptInStore, 'get'>;
      pseudonyms: PseudonymCache;
      minGroupSize: number;
      seatCostPerMonth: number;
      retentionDays: number;
      now?: () => number;
    },
  ) {
    this.now = options.now ?? Date.now;
  }

  /** `GET /v1/github/status`; `lastError` only when `admin`. */
  async status(admin: boolean): Promise<GithubImportStatusResponse> {
    const { settings, store } = this.options;
    if (!settings) {
      return {
        enabled: false,
        reason: 'not_configured',
        message: NOT_IMPORTED.not_configured,
      };
    }
    const since = dayOfMs(this.now() - this.options.retentionDays * DAY_MS);
    const [state, coverage] = await Promise.all([
      store.readState<ImportStatusState>(STATE.status),
      store.coverage(since),
    ]);
    const failing = Boolean(state?.failing);
    return {
      enabled: true,
      scope: settings.scope,
      sourceOfTruth: settings.sourceOfTruth,
      usageImported: settings.sourceOfTruth === 'import',
      backfillDays: settings.backfillDays,
      ...(coverage.from && { importedFrom: coverage.from }),
      ...(coverage.through && { importedThrough: coverage.through }),
      ...(state?.latestPublishedDay && {
        latestPublishedDay: state.latestPublishedDay,
      }),
      importedDevelopers: coverage.developers,
      ...(state?.lastRun && { lastRun: state.lastRun }),
      ...(state?.lastSuccessAt && { lastSuccessAt: state.lastSuccessAt }),
      ...(state?.retryAt && { nextRunAt: state.retryAt }),
      failing,
      ...(admin &&
        failing &&
        state?.lastError && { lastError: state.lastError }),
    };
  }

  /** `GET /v1/github/seats`: counts only, withheld below the privacy threshold. */
  async seats(): Promise<CopilotSeatsResponse> {
    const { settings, store, minGroupSize, seatCostPerMonth } = this.options;
    if (!settings) {
      return {
        withheld: 'not_configured',
        message:
          'Copilot seats come from the GitHub import, which is off in this portal.',
      };
    }
    const [snapshot, state] = await Promise.all([
      store.readState<SeatSnapshot>(STATE.seats),
      store.readState<ImportStatusState>(STATE.status),
    ]);
    if (!snapshot) {
      return {
        withheld: 'not_fetched',
        scope: settings.scope,
        message: state?.failing
          ? 'The import could not read the seats from GitHub yet; administrators see why under the import status.'
          : 'The import has not read the seats from GitHub yet.',
      };
    }
    if (snapshot.counts.total < minGroupSize) {
      return {
        withheld: 'threshold',
        scope: snapshot.scope,
        fetchedAt: snapshot.fetchedAt,
        minGroupSize,
        message: `Fewer than ${minGroupSize} Copilot seats: their activity would single people out.`,
      };
    }
    const stale =
      Boolean(state?.failing) &&
      (state?.lastRun?.startedAt ?? '') > snapshot.fetchedAt;
    return {
      scope: snapshot.scope,
      fetchedAt: snapshot.fetchedAt,
      seats: snapshot.counts,
      seatCostPerMonth,
      idleCostPerMonth: snapshot.counts.idle * seatCostPerMonth,
      totalCostPerMonth: snapshot.counts.total * seatCostPerMonth,
      ...(stale && { stale: true }),
    };
  }

  /** `GET /v1/me/github`: whether the caller is imported, under which login, and their days. */
  async me(userEntityRef: string): Promise<MyGithubImportResponse> {
    const { settings, store, optIns, pseudonyms, logins } = this.options;
    const registration = await optIns.get(userEntityRef);
    const userHash =
      registration?.userHash ?? (await pseudonyms.of(userEntityRef));
    let login: string | null | undefined;
    try {
      login = await logins.of(userEntityRef);
    } catch (error) {
      throw new ServiceUnavailableError(
        `The catalog could not be read for your GitHub login: ${
          (error as Error).message
        }`,
      );
    }
    const days = (await store.ledgerOf(userHash)).map(entry => ({
      day: entry.day,
      importedAt: entry.importedAt.toISOString(),
      active: entry.active,
    }));
    let reason: GithubNotImportedReason | undefined;
    if (!settings) reason = 'not_configured';
    else if (settings.sourceOfTruth === 'clients') {
      reason = 'clients_are_source_of_truth';
    } else if (!registration?.optedIn) reason = 'not_opted_in';
    else if (login === null) reason = 'not_in_catalog';
    else if (login === undefined) reason = 'no_login';
    return {
      imported: reason === undefined,
      ...(reason && { reason }),
      message: reason
        ? NOT_IMPORTED[reason]
        : `Your Copilot usage is imported from GitHub under the login ${login}.`,
      ...(login && { login }),
      ...(settings && { scope: settings.scope }),
      days,
    };
  }

  /** What the import keeps about a pseudonym, for My data. */
  async myData(userHash: string): Promise<MyDataGithubImport> {
    const { store } = this.options;
    const [ledger, totals] = await Promise.all([
      store.ledgerOf(userHash),
      store.totalsOf(userHash),
    ]);
    return {
      days: ledger.map(entry => ({
        day: entry.day,
        importedAt: entry.importedAt.toISOString(),
        active: entry.active,
        changes: entry.changes.map(change => ({
          metric: change.metric,
          labels: change.labels,
          before: change.beforeMilli / 1000,
          after: change.afterMilli / 1000,
        })),
      })),
      counters: totals.map(total => ({
        metric: total.metric,
        labels: total.labels,
        value: total.valueMilli / 1000,
        throughDay: total.throughDay,
      })),
    };
  }
}
