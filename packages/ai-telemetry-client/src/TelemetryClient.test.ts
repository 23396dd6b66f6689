import { errorBody, StubEventsServer } from '@fawkes/ai-telemetry-test-utils';
import {
  BATCH_ID_PATTERN,
  TelemetryEvent,
} from '@fawkes/plugin-ai-telemetry-common';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TelemetryClient } from './TelemetryClient';
import { TelemetryClientOptions } from './settings';

const suggestion = (lines: number): TelemetryEvent => ({
  kind: 'suggestion',
  language: 'python',
  accepted: true,
  lines,
  waitMs: 400,
  assistant: 'copilot',
});

describe('TelemetryClient', () => {
  let stub: StubEventsServer;
  let queueDir: string;
  let sleeps: number[];
  let clock: number;
  const clients: TelemetryClient[] = [];

  function client(options: TelemetryClientOptions = {}): TelemetryClient {
    const created = new TelemetryClient({
      env: {},
      enabled: true,
      endpoint: stub.url,
      token: 'fat_token-one',
      queueDir,
      flushIntervalMs: 0,
      flushAtEvents: 0,
      retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000 },
      now: () => clock,
      random: () => 0.5,
      sleep: async ms => {
        sleeps.push(ms);
      },
      ...options,
    });
    clients.push(created);
    return created;
  }

  async function recordAll(target: TelemetryClient, events: TelemetryEvent[]) {
    for (const event of events) {
      expect(await target.record(event)).toBe('queued');
    }
  }

  beforeEach(async () => {
    stub = await new StubEventsServer().start();
    queueDir = await fs.mkdtemp(path.join(os.tmpdir(), 'fawkes-queue-'));
    sleeps = [];
    clock = 1_700_000_000_000;
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map(c => c.close()));
    await stub.stop();
    await fs.rm(queueDir, { recursive: true, force: true });
  });

  it('stores and sends nothing when telemetry is not enabled', async () => {
    const dir = path.join(queueDir, 'never-created');
    const off = client({
      enabled: undefined,
      env: { FAWKES_AI_TELEMETRY: 'yes please' },
      queueDir: dir,
      flushIntervalMs: 10,
    });

    expect(off.enabled).toBe(false);
    expect(await off.record(suggestion(3))).toBe('disabled');
    expect((await off.flush()).outcome).toBe('disabled');
    await expect(fs.stat(dir)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(stub.requests).toHaveLength(0);
  });

  it('is on with FAWKES_AI_TELEMETRY=enabled and sends each event once, with the token', async () => {
    const on = client({
      enabled: undefined,
      endpoint: undefined,
      token: undefined,
      env: {
        FAWKES_AI_TELEMETRY: 'enabled',
        FAWKES_AI_TELEMETRY_ENDPOINT: `${stub.url}/`,
        FAWKES_AI_TELEMETRY_TOKEN: 'fat_from-env',
      },
    });
    await recordAll(on, [
      suggestion(12),
      { kind: 'feature', feature: 'chat' },
      { kind: 'time_saved', activity: 'documentation', seconds: 120 },
    ]);

    const result = await on.flush();

    expect(result).toMatchObject({
      outcome: 'delivered',
      sentEvents: 3,
      remainingEvents: 0,
    });
    expect(stub.requests).toHaveLength(1);
    expect(stub.requests[0].authorization).toBe('Bearer fat_from-env');
    expect(stub.requests[0].contentType).toBe('application/json');
    expect(stub.requests[0].body.batchId).toMatch(BATCH_ID_PATTERN);
    expect(stub.requests[0].body.events).toEqual([
      suggestion(12),
      { kind: 'feature', feature: 'chat' },
      { kind: 'time_saved', activity: 'documentation', seconds: 120 },
    ]);
    expect((await on.status()).queuedEvents).toBe(0);
  });

  it('refuses an event with free text or code in it, and stores nothing', async () => {
    const on = client();
    await expect(
      on.record({
        kind: 'suggestion',
        language: 'def steal(): return open("/etc/passwd")',
        accepted: true,
      }),
    ).rejects.toThrow(/language must be an identifier/);
    await expect(
      on.record({
        ...suggestion(1),
        file: 'src/secret.py',
      } as unknown as TelemetryEvent),
    ).rejects.toThrow(/file is not a field of a suggestion event/);
    expect((await on.status()).queuedEvents).toBe(0);
  });

  it('sends batches of at most maxBatchEvents events and maxBatchBytes bytes', async () => {
    const byCount = client({ maxBatchEvents: 10 });
    await recordAll(
      byCount,
      Array.from({ length: 25 }, (_, i) => suggestion(i + 1)),
    );
    await byCount.flush();
    expect(stub.requests.map(r => r.body.events.length)).toEqual([10, 10, 5]);
    expect(new Set(stub.requests.map(r => r.body.batchId)).size).toBe(3);
    expect(
      stub.requests.flatMap(r => r.body.events.map(e => (e as any).lines)),
    ).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));

    stub.requests.length = 0;
    const bySize = client({ maxBatchBytes: 1024 });
    await recordAll(
      bySize,
      Array.from({ length: 30 }, (_, i) => suggestion(i)),
    );
    const result = await bySize.flush();
    expect(result.sentEvents).toBe(30);
    expect(stub.requests.length).toBeGreaterThan(1);
    for (const request of stub.requests) {
      expect(
        Buffer.byteLength(JSON.stringify(request.body)),
      ).toBeLessThanOrEqual(1024);
    }
  });

  it('reuses the batch id after a lost answer, so the backend counts the batch once', async () => {
    const on = client();
    await recordAll(on, [suggestion(1), suggestion(2)]);
    stub.answerNext('hang-up-after-counting');

    const result = await on.flush();

    expect(stub.requests).toHaveLength(2);
    expect(stub.requests[1].body.batchId).toBe(stub.requests[0].body.batchId);
    expect(result).toMatchObject({
      outcome: 'delivered',
      duplicateBatches: 1,
      remainingEvents: 0,
    });
    expect(stub.countedEvents).toBe(2);
  });

  it('keeps the batch and its id on disk across a restart while the backend fails', async () => {
    const first = client({
      retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 100 },
    });
    await recordAll(first, [suggestion(5), suggestion(6), suggestion(7)]);
    stub.answerNext(
      {
        status: 503,
        body: errorBody('ServiceUnavailableError', 'database down'),
      },
      {
        status: 503,
        body: errorBody('ServiceUnavailableError', 'database down'),
      },
    );
    const failed = await first.flush();
    expect(failed).toMatchObject({ outcome: 'retrying', remainingEvents: 3 });
    expect(failed.message).toMatch(/database down/);
    await first.close();

    const restarted = client();
    expect((await restarted.status()).queuedEvents).toBe(3);
    const result = await restarted.flush({ force: true });

    expect(result).toMatchObject({ outcome: 'delivered', sentEvents: 3 });
    const ids = stub.requests.map(r => r.body.batchId);
    expect(new Set(ids).size).toBe(1);
    expect(stub.countedEvents).toBe(3);
  });

  it('splits a batch the backend finds too large (413) until it fits', async () => {
    const on = client();
    await recordAll(
      on,
      Array.from({ length: 10 }, (_, i) => suggestion(i)),
    );
    const tooLarge = (request: { body: { events: unknown[] } }) =>
      request.body.events.length > 4
        ? {
            status: 413,
            body: errorBody('PayloadTooLargeError', 'at most 4 events'),
          }
        : undefined;
    stub.answerNext(...Array.from({ length: 10 }, () => tooLarge));

    const result = await on.flush();

    expect(result).toMatchObject({
      outcome: 'delivered',
      sentEvents: 10,
      remainingEvents: 0,
    });
    const [parent, ...rest] = stub.requests.map(r => r.body.batchId);
    expect(rest.filter(id => id.startsWith(`${parent}_`)).length).toBe(
      rest.length,
    );
    expect(stub.countedEvents).toBe(10);
    expect([...stub.counted.values()].every(count => count <= 4)).toBe(true);
  });

  it('moves a batch refused as invalid (400) to the dead letters with the message, and reports it', async () => {
    const warnings: string[] = [];
    const on = client({
      logger: { info: () => {}, warn: message => warnings.push(message) },
    });
    await recordAll(on, [suggestion(1), suggestion(2)]);
    stub.answerNext({
      status: 400,
      body: errorBody('InputError', 'events[1].lines must be at most 500'),
    });

    const result = await on.flush();

    expect(result).toMatchObject({
      outcome: 'delivered',
      deadLetteredEvents: 2,
      remainingEvents: 0,
    });
    const letters = await fs.readdir(path.join(queueDir, 'dead-letter'));
    expect(letters).toEqual([`${stub.requests[0].body.batchId}.json`]);
    const letter = JSON.parse(
      await fs.readFile(path.join(queueDir, 'dead-letter', letters[0]), 'utf8'),
    );
    expect(letter).toMatchObject({
      status: 400,
      message: 'InputError: events[1].lines must be at most 500',
      events: [suggestion(1), suggestion(2)],
    });
    expect(warnings.join('\n')).toMatch(
      /events\[1\]\.lines must be at most 500/,
    );
    const status = await on.status();
    expect(status.deadLetters).toBe(1);
    expect(status.lastError?.message).toMatch(
      /refused 2 event\(s\) as invalid/,
    );

    await on.flush({ force: true });
    expect(stub.requests).toHaveLength(1);
  });

  it('stops at 401, keeps the queue, says where to get a new token, and resumes with a new one', async () => {
    const on = client();
    await recordAll(on, [suggestion(1), suggestion(2)]);
    stub.answerNext({
      status: 401,
      body: errorBody('AuthenticationError', 'The telemetry token was revoked'),
    });

    const refused = await on.flush();

    expect(refused.outcome).toBe('unauthorized');
    expect(refused.message).toMatch(/token was revoked/);
    expect(refused.message).toMatch(/Settings → AI Telemetry/);
    expect(refused.remainingEvents).toBe(2);
    expect(stub.requests).toHaveLength(1);
    expect((await on.flush()).outcome).toBe('unauthorized');
    expect(stub.requests).toHaveLength(1);
    expect(await on.record(suggestion(3))).toBe('paused');
    expect((await on.status()).paused).toMatchObject({
      reason: 'unauthorized',
    });

    const withNewToken = client({ token: 'fat_token-two' });
    expect((await withNewToken.status()).paused).toBeUndefined();
    const result = await withNewToken.flush();
    expect(result).toMatchObject({ outcome: 'delivered', sentEvents: 2 });
    expect(stub.requests[1].authorization).toBe('Bearer fat_token-two');
    expect(stub.requests[1].body.batchId).toBe(stub.requests[0].body.batchId);
  });

  it('pauses at 403 (not opted in), keeps the queued events, and checks again later', async () => {
    const on = client({ optInRecheckMs: 60_000 });
    await recordAll(on, [suggestion(4)]);
    stub.answerNext({
      status: 403,
      body: errorBody('NotAllowedError', 'user:default/mock has not opted in'),
    });

    const refused = await on.flush();
    expect(refused.outcome).toBe('not-opted-in');
    expect(refused.message).toMatch(/has not opted in/);
    expect(await on.record(suggestion(5))).toBe('paused');
    expect((await on.flush()).outcome).toBe('not-opted-in');
    expect(stub.requests).toHaveLength(1);

    clock += 60_000;
    const result = await on.flush();
    expect(result).toMatchObject({ outcome: 'delivered', sentEvents: 1 });
    expect(stub.requests[1].body.events).toEqual([suggestion(4)]);
    expect(await on.record(suggestion(6))).toBe('queued');
  });

  it('retries with exponential backoff and jitter, then waits between flushes', async () => {
    const on = client({
      retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 },
    });
    await recordAll(on, [suggestion(1)]);
    const busy = {
      status: 503,
      body: errorBody('ServiceUnavailableError', 'busy'),
    };
    stub.answerNext(busy, busy, busy);

    const result = await on.flush();

    expect(result).toMatchObject({ outcome: 'delivered', sentEvents: 1 });
    // 100, 200, 400 ms, each with equal jitter (random() = 0.5 → 3/4 of it).
    expect(sleeps).toEqual([75, 150, 300]);
    expect(new Set(stub.requests.map(r => r.body.batchId)).size).toBe(1);

    await recordAll(on, [suggestion(2)]);
    stub.answerNext(...Array.from({ length: 4 }, () => busy));
    const failed = await on.flush();
    expect(failed.outcome).toBe('retrying');
    expect(failed.nextAttemptAt).toBe(clock + 75);
    expect(stub.requests).toHaveLength(8);

    expect((await on.flush()).outcome).toBe('backing-off');
    expect(stub.requests).toHaveLength(8);
    clock += 75;
    expect(await on.flush()).toMatchObject({
      outcome: 'delivered',
      sentEvents: 1,
    });
  });

  it("keeps the queue at 429 and sends again no sooner than the backend's Retry-After, losing nothing", async () => {
    const on = client({
      retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000 },
    });
    const tooMany = (retryAfter: string) => ({
      status: 429,
      headers: { 'Retry-After': retryAfter },
      body: errorBody(
        'TooManyRequestsError',
        'Too many events: a developer may send 1000 a minute',
      ),
    });
    await recordAll(on, [suggestion(1), suggestion(2)]);
    // A short Retry-After is waited out within the flush.
    stub.answerNext(tooMany('1'));
    expect(await on.flush()).toMatchObject({
      outcome: 'delivered',
      sentEvents: 2,
    });
    expect(sleeps).toEqual([1000]);

    // A long one ends the flush: the events stay queued, and no flush sends before it is over.
    await recordAll(on, [suggestion(3)]);
    stub.answerNext(tooMany('30'));
    const refused = await on.flush();
    expect(refused).toMatchObject({
      outcome: 'retrying',
      remainingEvents: 1,
      nextAttemptAt: clock + 30_000,
    });
    expect(refused.message).toMatch(
      /answered TooManyRequestsError: Too many events.*the events stay queued/,
    );
    clock += 29_999;
    expect((await on.flush()).outcome).toBe('backing-off');
    clock += 1;
    expect(await on.flush()).toMatchObject({
      outcome: 'delivered',
      sentEvents: 1,
      remainingEvents: 0,
    });
    expect(stub.countedEvents).toBe(3);
    expect(new Set(stub.requests.map(r => r.body.batchId)).size).toBe(2);
  });

  it('keeps events on disk while the backend is unreachable and never throws', async () => {
    const on = client({
      retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 100 },
    });
    await stub.stop();
    await recordAll(on, [suggestion(1), suggestion(2)]);

    const result = await on.flush();

    expect(result.outcome).toBe('retrying');
    expect(result.message).toMatch(/could not be reached: ECONNREFUSED/);
    const status = await on.status();
    expect(status.queuedEvents).toBe(2);
    expect(status.lastError?.message).toMatch(/ECONNREFUSED/);
    expect(status.nextAttemptAt).toBeDefined();
  });

  it('survives a restart: a new client sends what an earlier one recorded', async () => {
    const before = client();
    await recordAll(before, [
      suggestion(8),
      { kind: 'feature', feature: 'test', count: 3 },
    ]);
    expect(stub.requests).toHaveLength(0);

    const after = client();
    expect((await after.status()).queuedEvents).toBe(2);
    expect(await after.flush()).toMatchObject({
      outcome: 'delivered',
      sentEvents: 2,
    });
    expect(stub.countedEvents).toBe(2);
  });

  it('flushes by itself once flushAtEvents events wait', async () => {
    const on = client({ flushAtEvents: 3 });
    await recordAll(on, [suggestion(1), suggestion(2)]);
    expect(stub.requests).toHaveLength(0);

    await recordAll(on, [suggestion(3)]);
    await stub.waitForRequests(1);

    expect(stub.requests[0].body.events).toHaveLength(3);
  });

  it('flushes by itself on its interval', async () => {
    const on = client({ flushIntervalMs: 20 });
    await recordAll(on, [suggestion(1)]);

    await stub.waitForRequests(1);

    expect(stub.requests[0].body.events).toEqual([suggestion(1)]);
  });
});
