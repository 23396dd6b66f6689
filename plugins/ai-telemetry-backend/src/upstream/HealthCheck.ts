import { UpstreamHealth } from '@fawkes/plugin-ai-telemetry-common';

/** How long a probe's answer is reused, in milliseconds. */
export const HEALTH_CACHE_MS = 5000;

/** The readiness of each upstream. */
export type UpstreamsHealth = {
  prometheus: UpstreamHealth;
  pushgateway: UpstreamHealth;
};

/**
 * The readiness of Prometheus and the Pushgateway, probed at most once per `cacheMs` (counted
 * from the end of a probe): calls in between, and calls while a probe runs, share its answer,
 * so that a health check called often costs the upstreams nothing more.
 */
export class HealthCheck {
  private readonly cacheMs: number;
  private readonly now: () => number;
  private latest?: { answer: Promise<UpstreamsHealth>; settledAt?: number };

  constructor(
    private readonly probes: {
      [upstream in keyof UpstreamsHealth]: () => Promise<UpstreamHealth>;
    },
    options: { cacheMs?: number; now?: () => number } = {},
  ) {
    this.cacheMs = options.cacheMs ?? HEALTH_CACHE_MS;
    this.now = options.now ?? Date.now;
  }

  check(): Promise<UpstreamsHealth> {
    const latest = this.latest;
    if (
      latest &&
      (latest.settledAt === undefined ||
        this.now() - latest.settledAt < this.cacheMs)
    ) {
      return latest.answer;
    }
    const probe: NonNullable<HealthCheck['latest']> = {
      answer: Promise.all([
        this.probes.prometheus(),
        this.probes.pushgateway(),
      ]).then(([prometheus, pushgateway]) => ({ prometheus, pushgateway })),
    };
    // A probe reports a failure as `up: false`; should one throw, the next call probes again.
    probe.answer.then(
      () => {
        probe.settledAt = this.now();
      },
      () => {
        if (this.latest === probe) this.latest = undefined;
      },
    );
    this.latest = probe;
    return probe.answer;
  }
}
