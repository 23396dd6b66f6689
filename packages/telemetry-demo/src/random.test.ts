import { createRandom } from './random';

describe('createRandom', () => {
  it('repeats its sequence for the same seed, and only for it', () => {
    const draw = (...seed: Array<string | number>) => {
      const random = createRandom(...seed);
      return Array.from({ length: 5 }, () => random.next());
    };
    expect(draw(42, 'org')).toEqual(draw(42, 'org'));
    expect(draw(42, 'org')).not.toEqual(draw(43, 'org'));
    expect(draw(42, 'org')).not.toEqual(draw(42, 'profile'));
  });

  it('draws floats in [0, 1) and integers within their bounds', () => {
    const random = createRandom(1);
    for (let i = 0; i < 10000; i++) {
      const x = random.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      const n = random.int(3, 40);
      expect(n).toBeGreaterThanOrEqual(3);
      expect(n).toBeLessThanOrEqual(40);
    }
  });

  it('draws counts with the asked-for means', () => {
    const random = createRandom(7);
    const mean = (draw: () => number) => {
      let sum = 0;
      for (let i = 0; i < 20000; i++) sum += draw();
      return sum / 20000;
    };
    expect(mean(() => random.poisson(3))).toBeCloseTo(3, 1);
    expect(mean(() => random.poisson(80))).toBeCloseTo(80, 0);
    expect(mean(() => random.binomial(10, 0.3))).toBeCloseTo(3, 1);
    expect(mean(() => random.binomial(200, 0.3))).toBeCloseTo(60, 0);
    expect(random.binomial(5, 0)).toBe(0);
    expect(random.binomial(5, 1)).toBe(5);
    expect(random.poisson(0)).toBe(0);
  });
});
