import { assertJsonDepth, findTooDeep, MAX_JSON_DEPTH } from './jsonDepth';

/** `[[[...]]]` `depth` levels deep, built without recursion. */
function nestedArrays(depth: number): unknown {
  let value: unknown = [];
  for (let i = 1; i < depth; i++) value = [value];
  return value;
}

describe('findTooDeep', () => {
  it('lets through what the API sends, and exactly the limit', () => {
    expect(
      findTooDeep(
        { batchId: 'b', events: [{ kind: 'suggestion', count: 2 }] },
        MAX_JSON_DEPTH,
      ),
    ).toBeUndefined();
    expect(findTooDeep('text', 0)).toBeUndefined();
    expect(findTooDeep(nestedArrays(32), 32)).toBeUndefined();
  });

  it('names where a value nests too deeply', () => {
    expect(findTooDeep(nestedArrays(33), 32)).toBe('[0][0][0][0][0][0]…');
    expect(findTooDeep({ a: { b: [1] } }, 2)).toBe('a.b');
    expect(findTooDeep([[]], 1)).toBe('[0]');
    expect(findTooDeep({}, 0)).toBe('');
  });

  it('walks 100,000 levels without overflowing the stack', () => {
    const deep = { batchId: 'b', events: [{ kind: nestedArrays(100_000) }] };
    expect(findTooDeep(deep, MAX_JSON_DEPTH)).toBe('events[0].kind[0][0][0]…');
  });

  it('takes bytes as a value, not as a list', () => {
    expect(findTooDeep({ bytes: new Uint8Array(1000) }, 1)).toBeUndefined();
  });

  it('cuts long keys short in the path', () => {
    const key = 'k'.repeat(10_000);
    expect(findTooDeep({ [key]: [[]] }, 2)).toBe(`${'k'.repeat(40)}[0]`);
  });
});

describe('assertJsonDepth', () => {
  it('throws an InputError that names the problem and the place', () => {
    expect(() =>
      assertJsonDepth({ events: [{ kind: nestedArrays(5000) }] }),
    ).toThrow(
      expect.objectContaining({
        name: 'InputError',
        message:
          'The request body nests arrays and objects more than 32 levels deep ' +
          '(at events[0].kind[0][0][0]…); no body of this API is nested that deeply',
      }),
    );
  });
});
