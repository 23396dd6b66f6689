import { QueryCache } from './QueryCache';
import { memoryCache } from './__testUtils__/testDoubles';

describe('QueryCache', () => {
  it('coalesces identical loads under way at the same moment into one', async () => {
    const cache = new QueryCache(memoryCache());
    let release = (_: string[]) => {};
    const load = jest.fn(
      () =>
        new Promise<string[]>(resolve => {
          release = resolve;
        }),
    );

    const first = cache.get('q', load);
    const second = cache.get('q', load);
    const other = cache.get('other', async () => ['b']);
    await new Promise(resolve => setImmediate(resolve));
    release(['a']);

    expect(await Promise.all([first, second, other])).toEqual([
      ['a'],
      ['a'],
      ['b'],
    ]);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('answers without waiting for the shared cache to keep the result, and loses nothing when it cannot', async () => {
    const store = memoryCache();
    const setGeneration = store.set;
    const cache = new QueryCache(store, 60_000);
    await cache.generation();
    // A shared store that never finishes keeping anything, then one that fails to.
    store.set = () => new Promise<void>(() => {});
    const load = jest.fn(async () => 7);
    expect(await cache.get('q', load)).toBe(7);
    store.set = async () => {
      throw new Error('the cache store is down');
    };
    expect(await cache.get('other', async () => 8)).toBe(8);
    // This instance answers both from its own copy.
    expect(await cache.get('q', load)).toBe(7);
    expect(load).toHaveBeenCalledTimes(1);
    store.set = setGeneration;
  });

  it('answers later requests from the cache until dropAll', async () => {
    const store = memoryCache();
    const cache = new QueryCache(store, 60_000);
    const load = jest.fn(async () => 42);

    expect(await cache.get('q', load)).toBe(42);
    expect(await cache.get('q', load)).toBe(42);
    expect(load).toHaveBeenCalledTimes(1);
    // The generation, kept without an expiry, then the result.
    expect(store.ttls).toEqual([undefined, 60_000]);

    await cache.dropAll();
    expect(await cache.get('q', load)).toBe(42);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('starts a new generation when the cache loses its own, so nothing outlives the results', async () => {
    const store = memoryCache();
    const cache = new QueryCache(store);
    const before = await cache.generation();
    expect(await cache.generation()).toBe(before);
    await store.delete('query-results-generation');
    // Read once per turn of the event loop: the loss is seen from the next one.
    await new Promise(resolve => setImmediate(resolve));
    expect(await cache.generation()).not.toBe(before);
  });

  it('reads the generation once per turn of the event loop, and at once after dropping', async () => {
    const store = memoryCache();
    const get = jest.spyOn(store, 'get');
    const cache = new QueryCache(store);
    const first = await cache.generation();
    await Promise.all([cache.generation(), cache.generation()]);
    expect(get).toHaveBeenCalledTimes(1);
    await cache.dropAll();
    expect(await cache.generation()).not.toBe(first);
  });

  it('keeps recent results decoded, up to a weight, no longer than the cache service keeps them', async () => {
    // A cache service that hands out decoded copies, as Backstage's stores do.
    const store = memoryCache();
    const decoding = {
      ...store,
      get: async (key: string) => {
        const value = await store.get(key);
        return value === undefined
          ? undefined
          : JSON.parse(JSON.stringify(value));
      },
    } as typeof store;
    const cache = new QueryCache(decoding, 60_000, 8);
    const series = (points: number) => [
      { labels: {}, points: Array.from({ length: points }, (_, i) => [i, i]) },
    ];
    const first = await cache.get('a', async () => series(1));
    expect(await cache.get('a', jest.fn())).toBe(first);
    // Over a quarter of the weight: never kept here, decoded from the cache service each time.
    const huge = await cache.get('huge', async () => series(3));
    expect(await cache.get('huge', jest.fn())).not.toBe(huge);
    expect(await cache.get('huge', jest.fn())).toEqual(huge);
    // Newest last: four more of weight 2 leave no room for the first.
    for (const key of ['b', 'c', 'd', 'e']) {
      await cache.get(key, async () => series(1));
    }
    expect(await cache.get('a', jest.fn())).not.toBe(first);
    expect(await cache.get('a', jest.fn())).toEqual(first);

    const e = await cache.get('e', jest.fn());
    const later = jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 60_000);
    try {
      // Expired here: what the cache service still answers is decoded from it.
      expect(await cache.get('e', jest.fn())).not.toBe(e);
    } finally {
      later.mockRestore();
    }
  });

  it('does not keep a failed load, so the next request tries again', async () => {
    const cache = new QueryCache(memoryCache());
    const load = jest
      .fn<Promise<number>, []>()
      .mockRejectedValueOnce(new Error('down'))
      .mockResolvedValueOnce(1);
    await expect(cache.get('q', load)).rejects.toThrow('down');
    expect(await cache.get('q', load)).toBe(1);
  });
});
