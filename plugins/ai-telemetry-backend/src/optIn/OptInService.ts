import { ConflictError, NotAllowedError } from '@backstage/errors';
import {
  ErasureJob,
  MeResponse,
  OptInChangeRequest,
  OptOutWithErasureResponse,
  TELEMETRY_ENV,
  TelemetryTokenResponse,
} from '@fawkes/plugin-ai-telemetry-common';
import { Request } from 'express';
import { AuditLog } from '../audit/AuditLog';
import { OptInRecord, OptInSource, OptInStore } from '../database/OptInStore';
import { createTelemetryToken, hashTelemetryToken } from './telemetryTokens';
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
 * What opting out with erasure needs of the privacy side (the ErasureService has it): given as
 * an interface here so that opt-in does not import the privacy module, which imports it.
 */
export interface ErasureRequests {
  hasOpenJob(userEntityRef: string): Promise<boolean>;
  request(options: {
    userEntityRef: string;
    requestedBy: string;
    request?: Request;
  }): Promise<ErasureJob>;
}

/** The answer to an opt-in change: a token, the registration, or that and an erasure job. */
export type OptInChangeResult =
  | TelemetryTokenResponse
  | MeResponse
  | OptOutWithErasureResponse;

/**
 * A developer's opt-in: the registry entry, its history, and the telemetry token that is
 * issued on opt-in and rotation and revoked on opt-out. The developer's own changes
 * ({@link OptInService.change}, {@link OptInService.renewToken}) are audit-logged; the
 * registry operations below them are also what the development demo uses.
 */
export class OptInService {
  constructor(
    private readonly options: {
      optIns: OptInStore;
      pseudonyms: PseudonymCache;
      /** The plugin's external base URL, e.g. https://backstage.example.com/api/ai-telemetry. */
      endpoint: () => Promise<string>;
      audit: AuditLog;
      erasure: ErasureRequests;
    },
  ) {}

  /**
   * The developer turns telemetry on (a new token) or off, optionally erasing everything
   * collected (answered with the erasure job). Opting in while an erasure of their data is
   * under way is a conflict: it would be erased again.
   */
  async change(
    userEntityRef: string,
    change: OptInChangeRequest,
    request?: Request,
  ): Promise<OptInChangeResult> {
    const { audit, erasure } = this.options;
    const action = { actor: userEntityRef, subject: userEntityRef, request };
    if (change.enabled) {
      if (await erasure.hasOpenJob(userEntityRef)) {
        throw new ConflictError(
          `An erasure of ${userEntityRef}'s data is under way; opt in again once it is done (see GET /v1/me/erasure)`,
        );
      }
      return audit.track(
        { ...action, action: 'opt_in' },
        () => this.optIn(userEntityRef),
        () => 'telemetry on; a new telemetry token issued',
      );
    }
    const me = await audit.track(
      { ...action, action: 'opt_out' },
      () => this.optOut(userEntityRef),
      () =>
        `telemetry off; every telemetry token revoked${
          change.erase ? '; erasure requested' : ''
        }`,
    );
    if (!change.erase) return me;
    return {
      ...me,
      erasureJob: await erasure.request({
        userEntityRef,
        requestedBy: userEntityRef,
        request,
      }),
    };
  }

  /** The developer asks for a new token; the old one stops working. Audit-logged. */
  renewToken(
    userEntityRef: string,
    request?: Request,
  ): Promise<TelemetryTokenResponse> {
    return this.options.audit.track(
      {
        action: 'token_rotated',
        actor: userEntityRef,
        subject: userEntityRef,
        request,
      },
      () => this.rotateToken(userEntityRef),
      () => 'a new telemetry token issued; the previous one revoked',
    );
  }

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
