/**
 * A small seeded pseudo-random generator, so that a seed always gives the same organisation and
 * the same telemetry: the 32-bit "small fast counter" (sfc32) generator, seeded by hashing
 * any number of string or number parts.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One element, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** One element, with probability proportional to its weight. */
  weighted<T>(items: readonly T[], weight: (item: T) => number): T;
  /** A normally distributed float. */
  normal(mean: number, sd: number): number;
  /** A Poisson-distributed count with the given mean. */
  poisson(mean: number): number;
  /** How many of n trials succeed with probability p each. */
  binomial(n: number, p: number): number;
  /** A copy of items in a random order. */
  shuffle<T>(items: readonly T[]): T[];
}

/** Hashes the parts into four 32-bit words (FNV-1a, with a different offset per word). */
function seedWords(parts: ReadonlyArray<string | number>): number[] {
  const text = parts.map(String).join('\u0000');
  const words: number[] = [];
  for (let w = 0; w < 4; w++) {
    let h = (0x811c9dc5 ^ Math.imul(w + 1, 0x9e3779b9)) >>> 0;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    // Final avalanche, so that similar inputs give unrelated words.
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b) >>> 0;
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
    words.push(h >>> 0);
  }
  return words;
}

/** A generator whose whole sequence is fixed by the parts it is seeded with. */
export function createRandom(...parts: ReadonlyArray<string | number>): Random {
  let [a, b, c, d] = seedWords(parts);

  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  // Warm up: the first outputs of sfc32 still show the seed's structure.
  for (let i = 0; i < 12; i++) next();

  let spareNormal: number | undefined;
  const standardNormal = (): number => {
    if (spareNormal !== undefined) {
      const z = spareNormal;
      spareNormal = undefined;
      return z;
    }
    // Box–Muller, keeping the second value for the next call.
    const u = 1 - next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };

  const random: Random = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: p => next() < p,
    pick: items => items[Math.floor(next() * items.length)],
    weighted: (items, weight) => {
      const total = items.reduce((sum, item) => sum + weight(item), 0);
      let r = next() * total;
      for (const item of items) {
        r -= weight(item);
        if (r < 0) return item;
      }
      return items[items.length - 1];
    },
    normal: (mean, sd) => mean + sd * standardNormal(),
    poisson: mean => {
      if (mean <= 0) return 0;
      if (mean > 30) {
        return Math.max(
          0,
          Math.round(mean + Math.sqrt(mean) * standardNormal()),
        );
      }
      // Knuth: multiply uniforms until the product drops below e^-mean.
      const limit = Math.exp(-mean);
      let k = 0;
      let product = next();
      while (product > limit) {
        k++;
        product *= next();
      }
      return k;
    },
    binomial: (n, p) => {
      if (n <= 0 || p <= 0) return 0;
      if (p >= 1) return n;
      if (n > 25) {
        const sd = Math.sqrt(n * p * (1 - p));
        return Math.min(
          n,
          Math.max(0, Math.round(n * p + sd * standardNormal())),
        );
      }
      let k = 0;
      for (let i = 0; i < n; i++) if (next() < p) k++;
      return k;
    },
    shuffle: items => {
      const copy = items.slice();
      for (let i = copy.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [copy[i], copy[j]] = [copy[j], copy[i]];
      }
      return copy;
    },
  };
  return random;
}
