/**
 * The pseudonym stored in the `user_hash` label: HMAC-SHA256 of the user's entity ref under a
 * secret key, as lowercase hex. Unlike a plain SHA-256 of a user name, it cannot be reversed by
 * hashing the staff directory without the key, and the key never leaves the backend.
 *
 * Uses Web Crypto, so the same function runs in the backend, in scripts and under Jest.
 */
export async function pseudonymize(
  userEntityRef: string,
  key: string,
): Promise<string> {
  if (!key) {
    throw new Error('pseudonymize: the pseudonym key is empty');
  }
  const encoder = new TextEncoder();
  const cryptoKey = await globalThis.crypto.subtle.importKey(
    'raw',
    encoder.encode(key),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const signature = await globalThis.crypto.subtle.sign(
    'HMAC',
    cryptoKey,
    encoder.encode(userEntityRef.toLowerCase()),
  );
  return Array.from(new Uint8Array(signature), b =>
    b.toString(16).padStart(2, '0'),
  ).join('');
}

/** A pseudonym is 64 lowercase hex characters. */
export const PSEUDONYM_PATTERN = /^[0-9a-f]{64}$/;
