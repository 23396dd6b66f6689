import { UpstreamHealth } from '@fawkes/plugin-ai-telemetry-common';
import { HealthCheck } from './HealthCheck';

function upstream(url: string) {
  let calls = 0;
  let answer: (health: UpstreamHealth) => void = () => {};
  return {
    get calls() {
      return calls;
    },
    probe: () => {
      calls++;
      return new Promise<UpstreamHealth>(resolve => {
        answer = resolve;
      });
    },
    answer: (up = true) => answer({ up, url, latencyMs: 2 }),
  };
}

describe('HealthCheck', () => {
  it('probes once for every call within 5 seconds of the last probe, in flight or done', async () => {
    let now = 0;
    const prometheus = upstream('http://prometheus');
    const pushgateway = upstream('http://pushgateway');
    const health = new HealthCheck(
      { prometheus: prometheus.probe, pushgateway: pushgateway.probe },
      { now: () => now },
    );

    const first = health.check();
    const second = health.check();
    prometheus.answer();
    pushgateway.answer(false);
    expect(await first).toEqual({
      prometheus: { up: true, url: 'http://prometheus', latencyMs: 2 },
      pushgateway: { up: false, url: 'http://pushgateway', latencyMs: 2 },
    });
    expect(await second).toBe(await first);

    now = 4999;
    expect(await health.check()).toBe(await first);
    expect([prometheus.calls, pushgateway.calls]).toEqual([1, 1]);

    now = 5000;
    const third = health.check();
    prometheus.answer();
    pushgateway.answer();
    expect((await third).pushgateway.up).toBe(true);
    expect([prometheus.calls, pushgateway.calls]).toEqual([2, 2]);
  });

  it('probes again at once after a probe that threw', async () => {
    let fail = true;
    const ok = async (): Promise<UpstreamHealth> => ({
      up: true,
      url: 'http://x',
      latencyMs: 1,
    });
    const health = new HealthCheck({
      prometheus: async () => {
        if (fail) throw new Error('boom');
        return ok();
      },
      pushgateway: ok,
    });

    await expect(health.check()).rejects.toThrow('boom');
    fail = false;
    expect((await health.check()).prometheus.up).toBe(true);
  });
});
