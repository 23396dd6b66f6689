import { gunzipSync } from 'zlib';
import { AnswerCache, SerialisedAnswer } from './AnswerCache';

describe('AnswerCache', () => {
  it('makes an answer once per key while it lasts, serialised with its ETag and gzip', async () => {
    let now = 0;
    const cache = new AnswerCache({ ttlMs: 1000, now: () => now });
    let made = 0;
    const make = async () => ({ made: ++made });

    const first = await cache.get('a', make);
    expect(JSON.parse(first.json)).toEqual({ made: 1 });
    expect(first.etag).toMatch(/^"[\w-]+"$/);
    expect(JSON.parse(gunzipSync(first.gzip()).toString())).toEqual({
      made: 1,
    });
    now = 999;
    expect(await cache.get('a', make)).toBe(first);
    expect(JSON.parse((await cache.get('b', make)).json)).toEqual({ made: 2 });
    now = 1000;
    expect(JSON.parse((await cache.get('a', make)).json)).toEqual({ made: 3 });
  });

  it('answers identical requests under way from one computation, and keeps no failure nor what is not reusable', async () => {
    const cache = new AnswerCache();
    let release: (value: unknown) => void = () => {};
    const make = jest.fn(
      () =>
        new Promise(resolve => {
          release = resolve;
        }),
    );
    const both = Promise.all([cache.get('a', make), cache.get('a', make)]);
    release({ ok: true });
    const [x, y] = await both;
    expect(x).toBe(y);
    expect(make).toHaveBeenCalledTimes(1);

    const failing = jest.fn(async () => {
      throw new Error('Prometheus is down');
    });
    await expect(cache.get('c', failing)).rejects.toThrow('Prometheus');
    await expect(cache.get('c', failing)).rejects.toThrow('Prometheus');
    expect(failing).toHaveBeenCalledTimes(2);

    const partly = jest.fn(async () => ({ failedPanels: 1 }));
    const reusable = (answer: { failedPanels: number }) =>
      answer.failedPanels === 0;
    await cache.get('d', partly, reusable);
    await cache.get('d', partly, reusable);
    expect(partly).toHaveBeenCalledTimes(2);
  });

  it('keeps the newest answers only, and forgets them all on clear', async () => {
    const cache = new AnswerCache({ maxEntries: 2 });
    let made = 0;
    const make = async () => ++made;
    await cache.get('a', make);
    await cache.get('b', make);
    await cache.get('c', make);
    expect((await cache.get('b', make)).json).toBe('2');
    expect((await cache.get('a', make)).json).toBe('4');
    cache.clear();
    expect((await cache.get('a', make)).json).toBe('5');
  });

  it('gives equal answers equal ETags and different ones different ETags', () => {
    expect(new SerialisedAnswer({ v: 1 }).etag).toBe(
      new SerialisedAnswer({ v: 1 }).etag,
    );
    expect(new SerialisedAnswer({ v: 1 }).etag).not.toBe(
      new SerialisedAnswer({ v: 2 }).etag,
    );
  });
});
