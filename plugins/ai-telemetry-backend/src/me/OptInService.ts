import { NotAllowedError } from '@backstage/errors';
import {
  MeResponse,
  TELEMETRY_ENV,
  TelemetryTokenResponse,
} from '@fawkes/plugin-ai-telemetry-common';
import { OptInRecord, OptInSource, OptInStore } from '../database/OptInStore';
import {
  createTelemetryToken,
  hashTelemetryToken,
} from '../ingestion/telemetryTokens';
import { PseudonymCache } from './PseudonymCache';

/** Where developers turn telemetry on, as the portal shows it. */
export const OPT_IN_LOCATION = 'Settings → AI Telemetry in the portal';

/**
 * The 403 for ingestion or token rotation of a user who is not opted in: says why, and how to
 * opt in.
 */
export function notOptedInError(
  userEntityRef: string,
  record: OptInRecord | undefined,
): NotAllowedError {
  const state = record
    ? `opted out of AI telemetry on ${record.updatedAt.toISOString()}`
    : 'has not opted in to AI telemetry';
  return new NotAllowedError(
    `${userEntityRef} ${state}, so nothing is collected. To take part, turn it on under ` +
      `${OPT_IN_LOCATION}, then use the telemetry token it shows.`,
  );
}

/** The IDE set-up lines shown with a new token (docs/privacy-model.md#opt-in). */
export function ideSnippet(endpoint: string, token: string): string {
  return [
    `${TELEMETRY_ENV.enabled}=enabled`,
    `${TELEMETRY_ENV.endpoint}=${endpoint}`,
    `${TELEMETRY_ENV.token}=${token}`,
  ].join('\n');
}

/**
 * A developer's opt-in: the registry entry, its history, and the telemetry token that is
 * issued on opt-in and rotation and revoked on opt-out.
 */
export class OptInService {
  constructor(
    private readonly options: {
      optIns: OptInStore;
      pseudonyms: PseudonymCache;
      /** The plugin's external base URL, e.g. https://backstage.example.com/api/ai-telemetry. */
      endpoint: () => Promise<string>;
    },
  ) {}

  async me(userEntityRef: string): Promise<MeResponse> {
    const { optIns } = this.options;
    const [record, history] = await Promise.all([
      optIns.get(userEntityRef),
      optIns.history(userEntityRef),
    ]);
    return {
      userEntityRef: record?.userEntityRef ?? userEntityRef,
      optedIn: record?.optedIn ?? false,
      ...(record && { userHash: record.userHash }),
      ...(record?.since && { since: record.since.toISOString() }),
      history: history.map(entry => ({
        enabled: entry.enabled,
        at: entry.at.toISOString(),
      })),
    };
  }

  /**
   * Turns telemetry on and issues a new token (the only one that works from now on). Opting in
   * while opted in keeps the registration and only replaces the token.
   */
  async optIn(
    userEntityRef: string,
    source: OptInSource = 'portal',
  ): Promise<TelemetryTokenResponse> {
    const token = createTelemetryToken();
    const record = await this.options.optIns.optIn({
      userEntityRef,
      userHash: await this.options.pseudonyms.of(userEntityRef),
      tokenHash: hashTelemetryToken(token),
      source,
    });
    return this.tokenResponse(record, token);
  }

  /** Turns telemetry off: every token stops working at once. */
  async optOut(userEntityRef: string): Promise<MeResponse> {
    await this.options.optIns.optOut({ userEntityRef, source: 'portal' });
    return this.me(userEntityRef);
  }

  /** Issues a new token; the old one stops working. 403 when the user is not opted in. */
  async rotateToken(
    userEntityRef: string,
    source: OptInSource = 'portal',
  ): Promise<TelemetryTokenResponse> {
    const { optIns } = this.options;
    const token = createTelemetryToken();
    const rotated = await optIns.rotateToken({
      userEntityRef,
      tokenHash: hashTelemetryToken(token),
      source,
    });
    const record = await optIns.get(userEntityRef);
    if (!rotated || !record) {
      throw notOptedInError(userEntityRef, record);
    }
    return this.tokenResponse(record, token);
  }

  private async tokenResponse(
    record: OptInRecord,
    token: string,
  ): Promise<TelemetryTokenResponse> {
    return {
      userEntityRef: record.userEntityRef,
      optedIn: true,
      userHash: record.userHash,
      since: (record.since ?? record.updatedAt).toISOString(),
      token,
      snippet: ideSnippet(await this.options.endpoint(), token),
    };
  }
}
