import { InputError } from '@backstage/errors';

/**
 * How deeply a JSON body may nest arrays and objects. The API's own bodies nest 3 levels (a
 * batch, its events, an event); OTLP JSON about 13, more with nested attribute values.
 */
export const MAX_JSON_DEPTH = 32;

/** How many steps of the path to a too deep value a message shows. */
const SHOWN_PATH_STEPS = 6;

type Frame = {
  value: unknown;
  /** Arrays and objects around `value`. */
  depth: number;
  key?: string | number;
  parent?: Frame;
};

function pathOf(frame: Frame): string {
  const keys: Array<string | number> = [];
  for (let f: Frame | undefined = frame; f?.parent; f = f.parent) {
    keys.unshift(f.key!);
  }
  const shown = keys
    .slice(0, SHOWN_PATH_STEPS)
    .reduce<string>(
      (path, key) =>
        typeof key === 'number'
          ? `${path}[${key}]`
          : `${path}${path ? '.' : ''}${key.slice(0, 40)}`,
      '',
    );
  return keys.length > SHOWN_PATH_STEPS ? `${shown}…` : shown;
}

/**
 * Where `value` nests arrays and objects more than `maxDepth` levels deep, as a path such as
 * `events[0].kind[0][0]…` ('' for the value itself); undefined when it does not. It walks the
 * value with a stack of its own rather than by recursion, so that a body nested thousands of
 * levels deep costs time in proportion to its size, never a stack overflow.
 */
export function findTooDeep(
  value: unknown,
  maxDepth: number,
): string | undefined {
  const stack: Frame[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const current = frame.value;
    // Bytes (a decoded protobuf's) are a value, not a list.
    if (
      current === null ||
      typeof current !== 'object' ||
      ArrayBuffer.isView(current)
    ) {
      continue;
    }
    const depth = frame.depth + 1;
    if (depth > maxDepth) return pathOf(frame);
    if (Array.isArray(current)) {
      current.forEach((item, index) =>
        stack.push({ value: item, depth, key: index, parent: frame }),
      );
    } else {
      for (const [key, item] of Object.entries(current)) {
        stack.push({ value: item, depth, key, parent: frame });
      }
    }
  }
  return undefined;
}

/**
 * Throws an InputError naming the place when `body` nests arrays and objects more than
 * `maxDepth` levels deep: checked before validation, whose messages describe values.
 */
export function assertJsonDepth(
  body: unknown,
  maxDepth: number = MAX_JSON_DEPTH,
): void {
  const path = findTooDeep(body, maxDepth);
  if (path !== undefined) {
    throw new InputError(
      `The request body nests arrays and objects more than ${maxDepth} levels deep${
        path ? ` (at ${path})` : ''
      }; no body of this API is nested that deeply`,
    );
  }
}
