import { PromiseCache } from './PromiseCache';

describe('PromiseCache', () => {
  function clock() {
    let t = 1_000;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  }

  it('shares one load between concurrent gets and reuses it within the TTL only', async () => {
    const time = clock();
    const cache = new PromiseCache<string, number>({
      ttlMs: 100,
      maxEntries: 10,
      now: time.now,
    });
    let loads = 0;
    const load = async () => ++loads;
    await expect(
      Promise.all([cache.get('a', load), cache.get('a', load)]),
    ).resolves.toEqual([1, 1]);
    time.advance(99);
    await expect(cache.get('a', load)).resolves.toBe(1);
    // Bypass: a hit must not extend the life of the value.
    time.advance(1);
    await expect(cache.get('a', load)).resolves.toBe(2);
  });

  it('forgets a failed load and one that keep refuses, but not a newer load that replaced it', async () => {
    const cache = new PromiseCache<string, string | undefined>({
      ttlMs: 10_000,
      maxEntries: 10,
      keep: v => v !== undefined,
    });
    await expect(
      cache.get('x', () => Promise.reject(new Error('down'))),
    ).rejects.toThrow('down');
    await expect(cache.get('x', async () => 'up')).resolves.toBe('up');
    await expect(
      cache.get('y', async () => undefined),
    ).resolves.toBeUndefined();
    await expect(cache.get('y', async () => 'found')).resolves.toBe('found');

    let rejectOld!: (e: Error) => void;
    const old = cache.get(
      'z',
      () => new Promise<string>((_, reject) => (rejectOld = reject)),
      { fresh: true },
    );
    await cache.get('z', async () => 'newer', { fresh: true });
    rejectOld(new Error('late failure'));
    await expect(old).rejects.toThrow('late failure');
    await expect(cache.get('z', async () => 'third')).resolves.toBe('newer');
  });

  it('fresh loads now; a TTL of 0 never keeps; the size is bounded (least recently used goes)', async () => {
    const cache = new PromiseCache<string, number>({
      ttlMs: 10_000,
      maxEntries: 2,
    });
    await cache.get('a', async () => 1);
    await expect(cache.get('a', async () => 2, { fresh: true })).resolves.toBe(
      2,
    );
    await cache.get('b', async () => 3);
    await cache.get('a', async () => 0); // a is now the most recently used
    await cache.get('c', async () => 4);
    expect(cache.size).toBe(2);
    await expect(cache.get('b', async () => 5)).resolves.toBe(5);

    const never = new PromiseCache<string, number>({ ttlMs: 0, maxEntries: 2 });
    let n = 0;
    await never.get('a', async () => ++n);
    await expect(never.get('a', async () => ++n)).resolves.toBe(2);
    expect(never.size).toBe(0);
  });
});
