import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import express from 'express';
import request from 'supertest';
import { ConcurrencyLimiter, RateLimiter, requestRateLimit } from './rateLimit';

/** A clock the test moves. */
function clock(start = 1_800_000_000_000) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('RateLimiter', () => {
  it("allows a minute's worth in a burst, then refuses, saying when to come back", () => {
    const time = clock();
    const limiter = new RateLimiter({ perMinute: 60, now: time.now });

    for (let i = 0; i < 60; i++) {
      expect(limiter.take('jane')).toEqual({ allowed: true });
    }
    expect(limiter.take('jane')).toEqual({
      allowed: false,
      retryAfterSeconds: 1,
    });
    expect(limiter.take('jane', 30)).toEqual({
      allowed: false,
      retryAfterSeconds: 30,
    });
  });

  it('refills at the rate, and a refused request spends nothing', () => {
    const time = clock();
    const limiter = new RateLimiter({ perMinute: 600, now: time.now });
    expect(limiter.take('jane', 600).allowed).toBe(true);
    for (let i = 0; i < 100; i++) limiter.take('jane', 10);

    time.advance(1000);
    expect(limiter.take('jane', 10)).toEqual({ allowed: true });
    expect(limiter.take('jane', 10)).toEqual({
      allowed: false,
      retryAfterSeconds: 1,
    });
    time.advance(60_000);
    expect(limiter.take('jane', 600)).toEqual({ allowed: true });
  });

  it('keeps a budget per key', () => {
    const time = clock();
    const limiter = new RateLimiter({ perMinute: 10, now: time.now });
    expect(limiter.take('jane', 10).allowed).toBe(true);
    expect(limiter.take('jane').allowed).toBe(false);
    expect(limiter.take('john', 10).allowed).toBe(true);
  });

  it('never allows more than a minute at once', () => {
    const limiter = new RateLimiter({ perMinute: 10, now: clock().now });
    expect(limiter.capacity).toBe(10);
    expect(limiter.take('jane', 11).allowed).toBe(false);
    expect(limiter.take('jane', 10).allowed).toBe(true);
  });

  it('forgets budgets that are full again, and counts them as full', () => {
    const time = clock();
    const limiter = new RateLimiter({ perMinute: 10, now: time.now });
    for (let i = 0; i < 1000; i++) limiter.take(`user${i}`, 10);
    time.advance(61_000);
    limiter.take('someone');
    // Every bucket is full again; none is kept.
    expect(
      (limiter as unknown as { buckets: Map<string, unknown> }).buckets.size,
    ).toBe(1);
    expect(limiter.take('user1', 10).allowed).toBe(true);
  });
});

describe('ConcurrencyLimiter', () => {
  it('gives a key at most `max` slots, back once each', () => {
    const limiter = new ConcurrencyLimiter(2);
    const first = limiter.tryAcquire('jane')!;
    const second = limiter.tryAcquire('jane')!;
    expect(limiter.tryAcquire('jane')).toBeUndefined();
    expect(limiter.tryAcquire('john')).toBeDefined();

    first();
    first();
    const third = limiter.tryAcquire('jane');
    expect(third).toBeDefined();
    expect(limiter.tryAcquire('jane')).toBeUndefined();
    second();
    third!();
    expect(limiter.tryAcquire('jane')).toBeDefined();
  });
});

describe('requestRateLimit', () => {
  function appWith(perMinute: number, now: () => number) {
    const app = express();
    app.use(
      requestRateLimit({
        httpAuth: mockServices.httpAuth(),
        limiter: new RateLimiter({ perMinute, now }),
        configKey: 'aiTelemetry.limits.portal.requestsPerMinute',
      }),
    );
    app.get('/v1/dashboard', (_req, res) => {
      res.json({ ok: true });
    });
    app.use(
      MiddlewareFactory.create({
        config: mockServices.rootConfig(),
        logger: mockServices.logger.mock(),
      }).error(),
    );
    return request(app);
  }

  it('answers 429 with Retry-After beyond the limit of each user, naming the limit', async () => {
    const time = clock();
    const api = appWith(3, time.now);
    const as = (user: string) =>
      api
        .get('/v1/dashboard')
        .set('Authorization', mockCredentials.user.header(user));

    for (let i = 0; i < 3; i++) {
      expect((await as('user:default/jane')).status).toBe(200);
    }
    const refused = await as('user:default/jane');
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('20');
    expect(refused.body.error).toMatchObject({
      name: 'TooManyRequestsError',
      message:
        'Too many requests: at most 3 a minute per user ' +
        '(aiTelemetry.limits.portal.requestsPerMinute); try again in 20 s',
    });
    expect((await as('user:default/john')).status).toBe(200);

    time.advance(20_000);
    expect((await as('user:default/jane')).status).toBe(200);
  });

  it('counts a service by its subject, and lets a request without credentials through to its 401', async () => {
    const api = appWith(1, clock().now);
    const service = () =>
      api
        .get('/v1/dashboard')
        .set('Authorization', mockCredentials.service.header());
    expect((await service()).status).toBe(200);
    expect((await service()).status).toBe(429);
    for (let i = 0; i < 3; i++) {
      const anonymous = await api
        .get('/v1/dashboard')
        .set('Authorization', mockCredentials.none.header());
      expect(anonymous.status).toBe(200);
    }
  });
});
