import { CacheService } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Entity } from '@backstage/catalog-model';
import {
  DEFAULT_ASSISTANTS,
  DEFAULT_LANGUAGES,
  METRIC_NAMES,
  MetricName,
} from '@fawkes/plugin-ai-telemetry-common';
import {
  PrometheusAlertRule,
  PrometheusClient,
  PrometheusSeries,
} from '../../upstream/PrometheusClient';
import { AdoptionSettings } from '../../config/AiTelemetryConfig';
import { QueryCache } from '../QueryCache';
import { ActivitySource, QueryService } from '../QueryService';
import { TeamResolver } from '../TeamResolver';

/** Backstage's cache service, in a Map (TTLs are recorded, not enforced). */
export function memoryCache(): CacheService & { ttls: unknown[] } {
  const store = new Map<string, unknown>();
  const ttls: unknown[] = [];
  const cache = {
    ttls,
    get: async (key: string) => store.get(key),
    set: async (key: string, value: unknown, options?: { ttl?: unknown }) => {
      store.set(key, value);
      ttls.push(options?.ttl);
    },
    delete: async (key: string) => {
      store.delete(key);
    },
    withOptions: () => cache,
  };
  return cache as unknown as CacheService & { ttls: unknown[] };
}

/**
 * A Prometheus that answers every query with `answer(query)`, records what it was asked, and
 * holds its answers until `release()` when created `held`.
 */
export function fakePrometheus(
  answer: (query: string) => PrometheusSeries[] = () => [],
  options: {
    held?: boolean;
    rules?: PrometheusAlertRule[];
    /** What the index answers for counter names (some counter when absent). */
    counterNames?: string[];
  } = {},
) {
  const asked: string[] = [];
  let release = () => {};
  const gate = options.held
    ? new Promise<void>(resolve => {
        release = resolve;
      })
    : Promise.resolve();
  const respond = async (key: string, query: string) => {
    asked.push(key);
    await gate;
    return answer(query);
  };
  const client = {
    rangeQuery: (query: string, start: number, end: number, step: number) =>
      respond(`range ${query} ${start} ${end} ${step}`, query),
    instantQuery: (query: string, time: number) =>
      respond(`instant ${query} ${time}`, query),
    // The index names a counter in every window unless told otherwise.
    labelValues: async (
      label: string,
      matchers: string[],
      start: number,
      end: number,
    ) => {
      asked.push(`labels ${label} ${matchers.join(' ')} ${start} ${end}`);
      await gate;
      return options.counterNames ?? ['ai_copilot_suggestions_total'];
    },
    alertRules: async () => {
      asked.push('rules');
      await gate;
      return options.rules ?? [];
    },
  };
  return {
    asked,
    release: () => release(),
    client: client as unknown as PrometheusClient,
  };
}

export const NOW = Date.UTC(2026, 10, 28, 13, 20) / 1000;

/** A QueryService on test doubles; the opted-in users and the catalog are given. */
export function testQueryService(options: {
  prometheus: PrometheusClient;
  optedIn?: Array<{ userEntityRef: string; userHash: string }>;
  entities?: Entity[];
  minGroupSize?: number;
  cache?: CacheService;
  adoption?: AdoptionSettings;
  activity?: ActivitySource;
}): QueryService {
  const optIns = {
    listOptedIn: async () => options.optedIn ?? [],
    registryVersion: async () => 0,
  };
  const logger = mockServices.logger.mock();
  return new QueryService({
    prometheus: options.prometheus,
    cache: new QueryCache(options.cache ?? memoryCache()),
    optIns,
    teams: new TeamResolver(
      catalogServiceMock({ entities: options.entities ?? [] }),
      optIns,
      logger,
    ),
    settings: {
      languages: [...DEFAULT_LANGUAGES],
      assistants: [...DEFAULT_ASSISTANTS],
      privacy: { minGroupSize: options.minGroupSize ?? 5, retentionDays: 90 },
      estimates: { secondsPerLine: 12, hourlyCost: 85, seatCostPerMonth: 19 },
      ...(options.adoption ? { adoption: options.adoption } : {}),
    },
    logger,
    ...(options.activity ? { activity: options.activity } : {}),
    now: () => NOW,
  });
}

/** A Group with direct members and child groups, as the catalog relates them. */
export function group(
  name: string,
  members: string[],
  children: string[] = [],
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, namespace: 'default', title: name },
    spec: { type: 'team', children },
    relations: [
      ...members.map(m => ({
        type: 'hasMember',
        targetRef: `user:default/${m}`,
      })),
      ...children.map(c => ({
        type: 'parentOf',
        targetRef: `group:default/${c}`,
      })),
    ],
  };
}

/** The pseudonym-shaped stand-in for user number `n`. */
export function hash(n: number): string {
  return n.toString(16).padStart(64, '0');
}

/** A series with data in the window: whose (user number), of which metric, with which labels. */
export type Activity = {
  user: number;
  metric: MetricName;
  language: string;
  assistant: string;
};

/** The activity of users `who` in every metric (or those given), in one language and assistant. */
export function activity(
  who: number[],
  options: {
    language?: string;
    assistant?: string;
    metrics?: readonly MetricName[];
  } = {},
): Activity[] {
  return who.flatMap(user =>
    (options.metrics ?? METRIC_NAMES).map(metric => ({
      user,
      metric,
      language: options.language ?? 'python',
      assistant: options.assistant ?? 'copilot',
    })),
  );
}

/** Users number `from` to `to`, both included. */
export function users(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

const PARTICIPANTS_QUERY =
  /^sum by \(([a-z_, ]+)\) \(increase\((ai_copilot_[a-z_]+)\[\d+s\]\)\) > 0$/;

/**
 * Answers the privacy threshold's participants queries of the organisation
 * (`sum by (user_hash, ...) (increase(metric[w])) > 0`) from `data`, one series per pseudonym and
 * value of the labels the query keeps apart; every other query with no series.
 */
export function participantsFrom(
  data: Activity[],
): (query: string) => PrometheusSeries[] {
  return query => {
    const match = PARTICIPANTS_QUERY.exec(query);
    if (!match) return [];
    const by = match[1].split(', ');
    const series = new Map<string, PrometheusSeries>();
    for (const a of data.filter(x => x.metric === match[2])) {
      const all: Record<string, string> = {
        user_hash: hash(a.user),
        language: a.language,
        assistant: a.assistant,
      };
      const labels = Object.fromEntries(
        by.filter(name => name in all).map(name => [name, all[name]]),
      );
      series.set(JSON.stringify(labels), { labels, points: [[0, 1]] });
    }
    return [...series.values()];
  };
}
