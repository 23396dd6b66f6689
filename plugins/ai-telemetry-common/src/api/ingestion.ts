/**
 * The opt-in API of the ai-telemetry backend (`/api/ai-telemetry/v1/me*`): a developer's
 * registration, its history, and the telemetry token an IDE sends events with. The events
 * themselves are in `./events`.
 */

/** Every telemetry token starts with this, so that it is recognisable in logs and leaks. */
export const TELEMETRY_TOKEN_PREFIX = 'fat_';

/** The environment variables an IDE (or the `fawkes-ai-telemetry` client) reads. */
export const TELEMETRY_ENV = {
  /** `enabled` turns the client on; anything else leaves it off. */
  enabled: 'FAWKES_AI_TELEMETRY',
  /** The plugin's base URL, e.g. `https://backstage.example.com/api/ai-telemetry`. */
  endpoint: 'FAWKES_AI_TELEMETRY_ENDPOINT',
  /** The telemetry token shown once at opt-in or rotation. */
  token: 'FAWKES_AI_TELEMETRY_TOKEN',
} as const;

/** One change of a developer's opt-in, oldest first in {@link MeResponse.history}. */
export type OptInHistoryEntry = {
  /** True when telemetry was turned on, false when it was turned off. */
  enabled: boolean;
  /** When, as an ISO 8601 timestamp. */
  at: string;
};

/** `GET /v1/me`: the caller's registration, as the settings page shows it. */
export type MeResponse = {
  userEntityRef: string;
  optedIn: boolean;
  /** The caller's pseudonym (`user_hash`), once they have opted in at least once. */
  userHash?: string;
  /** When the current opt-in began; absent while opted out. */
  since?: string;
  history: OptInHistoryEntry[];
};

/** The body of `PUT /v1/me/opt-in`. */
export type OptInRequest = {
  enabled: boolean;
};

/**
 * `PUT /v1/me/opt-in` with `enabled: true`, and `POST /v1/me/token`: the registration with a
 * new telemetry token, shown this once (only its hash is stored), and the IDE set-up snippet.
 */
export type TelemetryTokenResponse = {
  userEntityRef: string;
  optedIn: true;
  userHash: string;
  since: string;
  /** The new telemetry token; every earlier token of the user stopped working. */
  token: string;
  /** Shell lines that configure an IDE: `FAWKES_AI_TELEMETRY=enabled`, endpoint and token. */
  snippet: string;
};

/** `PUT /v1/me/opt-in`: a new token when turning on, the new state when turning off. */
export type OptInResponse = TelemetryTokenResponse | MeResponse;
