import { TELEMETRY_TOKEN_PREFIX } from '@fawkes/plugin-ai-telemetry-common';
import { createHash, randomBytes } from 'crypto';

/**
 * A new telemetry token: the recognisable prefix and 32 random bytes (base64url). It is shown
 * to its user once; only {@link hashTelemetryToken} of it is stored.
 */
export function createTelemetryToken(): string {
  return `${TELEMETRY_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/**
 * SHA-256 of the token, in hex. A plain hash suffices: the token carries 256 random bits, so
 * nothing can be guessed from its hash, and lookups stay one indexed read.
 */
export function hashTelemetryToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function isTelemetryToken(token: string): boolean {
  return token.startsWith(TELEMETRY_TOKEN_PREFIX);
}
