import { z } from 'zod';
import { parseRequest } from './validation';

const schema = z.strictObject({
  name: z.enum(['a', 'b']),
  count: z.number().max(10).optional(),
});

function messageFor(body: unknown): string {
  try {
    parseRequest(schema, body, 'thing');
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('no error');
}

describe('parseRequest', () => {
  it('names each offending field, with its value', () => {
    expect(messageFor({ name: 'c', count: 11 })).toBe(
      'Invalid thing: name "c" is not allowed; expected one of a, b; count must be at most 10, got 11',
    );
  });

  it('quotes a long value cut short, and a list or object by its type only', () => {
    const message = messageFor({ name: 'x'.repeat(200_000) });
    expect(message.length).toBeLessThan(200);
    expect(message).toMatch(/^Invalid thing: name "x+…/);
    expect(messageFor({ name: [[['deep']]] })).toBe(
      'Invalid thing: name (an array) is not allowed; expected one of a, b',
    );
    expect(messageFor({ name: 'a', count: { n: 1 } })).toBe(
      'Invalid thing: count must be a number, got an object',
    );
  });

  it('lists five problems at most, and long field names cut short', () => {
    const body: Record<string, unknown> = { name: 'a' };
    for (let i = 0; i < 10_000; i++) body[`field${i}`] = i;
    body['y'.repeat(100_000)] = 1;
    const message = messageFor(body);
    expect(message).toMatch(
      /^Invalid thing: unknown field field0; unknown field field1; .* \(and 9996 more\)$/,
    );
    expect(message.length).toBeLessThan(300);
  });
});
