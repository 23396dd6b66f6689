/**
 * @jest-environment node
 */
import { createHmac } from 'crypto';
import { PSEUDONYM_PATTERN, pseudonymize } from './pseudonym';

describe('pseudonymize', () => {
  it('is HMAC-SHA256 of the lower-cased entity ref under the key, in hex', async () => {
    const expected = createHmac('sha256', 'k3y')
      .update('user:default/jane.doe')
      .digest('hex');
    await expect(pseudonymize('user:default/Jane.Doe', 'k3y')).resolves.toBe(
      expected,
    );
  });

  it('depends on the key, so a staff directory alone cannot reverse it', async () => {
    const a = await pseudonymize('user:default/jane.doe', 'key-a');
    const b = await pseudonymize('user:default/jane.doe', 'key-b');
    expect(a).not.toBe(b);
    expect(a).toMatch(PSEUDONYM_PATTERN);
  });

  it('refuses an empty key', async () => {
    await expect(pseudonymize('user:default/x', '')).rejects.toThrow(/key/);
  });
});
