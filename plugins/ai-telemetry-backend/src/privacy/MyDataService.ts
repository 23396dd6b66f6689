import {
  MyDataGithubImport,
  MyDataExportFormat,
  MyDataResponse,
  USER_HASH_LABEL,
} from '@fawkes/plugin-ai-telemetry-common';
import { Request } from 'express';
import { OptInService } from '../optIn/OptInService';
import { PseudonymCache } from '../optIn/PseudonymCache';
import { PushgatewayClient } from '../upstream/PushgatewayClient';
import { AuditLog } from '../audit/AuditLog';
import { ErasureService } from './ErasureService';
import { PersonalDataStore } from '../database/PersonalDataStore';
import { PseudonymSeries, windowOfDays } from './PseudonymSeries';
import { holdsPseudonym } from './pushgatewayGroups';

/**
 * "My data" (docs/privacy-model.md#my-data): everything stored about the caller, from every
 * place it is stored: the registry and its history, the running totals in the database, every Prometheus series
 * with their pseudonym over the retention, legacy Pushgateway groups, and their erasure jobs.
 * An export fails, naming the upstream, rather than leave out what an upstream holds.
 */
export class MyDataService {
  constructor(
    private readonly options: {
      optIns: Pick<OptInService, 'me'>;
      pseudonyms: PseudonymCache;
      personalData: Pick<PersonalDataStore, 'countersOf'>;
      series: PseudonymSeries;
      pushgateway: Pick<PushgatewayClient, 'listGroups'>;
      erasure: Pick<ErasureService, 'jobsOf'>;
      audit: AuditLog;
      retentionDays: number;
      /** What the GitHub import keeps about a pseudonym (its ledger and totals). */
      githubImport?: { myData(userHash: string): Promise<MyDataGithubImport> };
    },
  ) {}

  /** Everything stored about the user; the export is audit-logged. */
  async export(options: {
    userEntityRef: string;
    format: MyDataExportFormat;
    request?: Request;
  }): Promise<MyDataResponse> {
    const { userEntityRef, format, request } = options;
    return this.options.audit.track(
      {
        action: 'data_exported',
        actor: userEntityRef,
        subject: userEntityRef,
        request,
      },
      () => this.collect(userEntityRef),
      data =>
        `${format}: ${data.series.length} series, ${data.counters.length} counters, ${data.pushgatewayGroups.length} Pushgateway groups`,
    );
  }

  private async collect(userEntityRef: string): Promise<MyDataResponse> {
    const { optIns, pseudonyms, personalData, series, pushgateway, erasure } =
      this.options;
    const me = await optIns.me(userEntityRef);
    const userHash = me.userHash ?? (await pseudonyms.of(userEntityRef));
    const window = windowOfDays(new Date(), this.options.retentionDays);
    const [counters, erasureJobs, githubImport] = await Promise.all([
      personalData.countersOf(userHash),
      erasure.jobsOf(userEntityRef),
      this.options.githubImport?.myData(userHash),
    ]);
    // One upstream after the other, so that a failure always names the first one down.
    const prometheus = await series.contractSeries(userHash, window);
    const groups = await pushgateway.listGroups();
    return {
      userEntityRef: me.userEntityRef,
      optedIn: me.optedIn,
      userHash,
      ...(me.since && { since: me.since }),
      history: me.history,
      counters: counters.map(counter => ({
        metric: counter.metric,
        labels: { [USER_HASH_LABEL]: userHash, ...counter.labels },
        value: counter.valueMilli / 1000,
        firstSeen: counter.firstSeen.toISOString(),
        updatedAt: counter.updatedAt.toISOString(),
      })),
      series: prometheus.series,
      step: prometheus.step,
      from: new Date(window.start * 1000).toISOString(),
      to: new Date(window.end * 1000).toISOString(),
      erasureJobs,
      pushgatewayGroups: groups
        .filter(group => holdsPseudonym(group, userHash))
        .map(group => ({ labels: group.labels })),
      ...(githubImport && { githubImport }),
    };
  }
}
