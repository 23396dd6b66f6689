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

  it('answers later requests from the cache until dropAll', async () => {
    const store = memoryCache();
    const cache = new QueryCache(store, 60_000);
    const load = jest.fn(async () => 42);

    expect(await cache.get('q', load)).toBe(42);
    expect(await cache.get('q', load)).toBe(42);
    expect(load).toHaveBeenCalledTimes(1);
    expect(store.ttls).toEqual([60_000]);

    await cache.dropAll();
    expect(await cache.get('q', load)).toBe(42);
    expect(load).toHaveBeenCalledTimes(2);
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
