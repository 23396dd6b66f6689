import { AuditorService } from '@backstage/backend-plugin-api';
import { ServiceUnavailableError } from '@backstage/errors';
import {
  PrometheusClient,
  PrometheusSeries,
} from '../../upstream/PrometheusClient';
import {
  PushgatewayClient,
  PushgatewayGroup,
} from '../../upstream/PushgatewayClient';

/** A series in the fake Prometheus: its name, labels and raw sample count. */
export type FakeSeries = {
  name: string;
  labels: Record<string, string>;
  samples: number;
};

/**
 * A stand-in for the parts of Prometheus that erasure uses: series held in memory, deleted by
 * `{user_hash="…"}`, and found again by the verification's queries. `down` makes every call
 * fail as an unreachable Prometheus does; `afterDelete` lets a test bring data back, as a scrape
 * in flight would.
 */
export class FakePrometheus
  implements
    Pick<
      PrometheusClient,
      'deleteSeries' | 'cleanTombstones' | 'rangeQuery' | 'labelValues'
    >
{
  series: FakeSeries[] = [];
  down = false;
  deleteCalls: string[][] = [];
  afterDelete?: () => void;

  private check() {
    if (this.down) {
      throw new ServiceUnavailableError(
        'Prometheus at http://127.0.0.1:9 is unreachable: ECONNREFUSED',
      );
    }
  }

  private static hashOf(matcher: string): string {
    const match = /user_hash="([0-9a-f]+)"/.exec(matcher);
    if (!match) throw new Error(`unexpected matcher ${matcher}`);
    return match[1];
  }

  async deleteSeries(matchers: string[]): Promise<void> {
    this.check();
    this.deleteCalls.push(matchers);
    const hashes = matchers.map(FakePrometheus.hashOf);
    this.series = this.series.filter(s => !hashes.includes(s.labels.user_hash));
    this.afterDelete?.();
  }

  async cleanTombstones(): Promise<boolean> {
    this.check();
    return true;
  }

  async labelValues(label: string, matchers: string[]): Promise<string[]> {
    this.check();
    if (label !== '__name__') throw new Error(`unexpected label ${label}`);
    const hash = FakePrometheus.hashOf(matchers[0]);
    return [
      ...new Set(
        this.series.filter(s => s.labels.user_hash === hash).map(s => s.name),
      ),
    ];
  }

  async rangeQuery(query: string, start: number): Promise<PrometheusSeries[]> {
    this.check();
    const match =
      /^count_over_time\(\{__name__="([^"]+)",user_hash="([0-9a-f]+)"\}\[\d+s\]\)$/.exec(
        query,
      );
    if (!match) throw new Error(`unexpected query ${query}`);
    const [, name, hash] = match;
    return this.series
      .filter(s => s.name === name && s.labels.user_hash === hash)
      .map(s => ({ labels: s.labels, points: [[start, s.samples]] }));
  }
}

/** A stand-in Pushgateway: groups in memory, `down` as an unreachable one. */
export class FakePushgateway
  implements Pick<PushgatewayClient, 'listGroups' | 'deleteGroup'>
{
  groups: PushgatewayGroup[] = [];
  down = false;
  deleted: Array<Record<string, string>> = [];

  private check() {
    if (this.down) {
      throw new ServiceUnavailableError(
        'Pushgateway at http://127.0.0.1:9 is unreachable: ECONNREFUSED',
      );
    }
  }

  async listGroups(): Promise<PushgatewayGroup[]> {
    this.check();
    return this.groups.map(g => ({ ...g }));
  }

  async deleteGroup(labels: Record<string, string>): Promise<void> {
    this.check();
    this.deleted.push(labels);
    this.groups = this.groups.filter(
      g => JSON.stringify(g.labels) !== JSON.stringify(labels),
    );
  }
}

/** The seed's legacy group of a pseudonym: `job/ai_telemetry/instance/<hash>`. */
export function legacyGroup(userHash: string): PushgatewayGroup {
  const labels = { job: 'ai_telemetry', instance: userHash };
  return {
    labels,
    series: [
      {
        metric: 'ai_copilot_suggestions_total',
        labels: { ...labels, language: 'python', accepted: 'true' },
      },
      { metric: 'push_time_seconds', labels },
    ],
  };
}

/** An auditor service that keeps the events it was given. */
export function recordingAuditor(): AuditorService & {
  events: Array<{ eventId: string; status: 'succeeded' | 'failed' }>;
} {
  const events: Array<{ eventId: string; status: 'succeeded' | 'failed' }> = [];
  return {
    events,
    async createEvent({ eventId }) {
      return {
        async success() {
          events.push({ eventId, status: 'succeeded' });
        },
        async fail() {
          events.push({ eventId, status: 'failed' });
        },
      };
    },
  };
}
