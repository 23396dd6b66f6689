import { AuthenticationError } from '@backstage/errors';
import {
  IngestEventsRequest,
  IngestEventsResponse,
} from '@fawkes/plugin-ai-telemetry-common';
import { CounterStore } from '../database/CounterStore';
import { OptInStore } from '../database/OptInStore';
import { OPT_IN_LOCATION, notOptedInError } from '../optIn/OptInService';
import { IncrementSettings, toCounterIncrements } from './counterIncrements';
import { hashTelemetryToken } from '../optIn/telemetryTokens';

/**
 * Ingestion (docs/architecture.md#ingestion, docs/privacy-model.md#opt-in): checks the opt-in,
 * turns a batch's events into counter increments, and adds them to the durable counters once
 * per batch id.
 */
export class IngestionService {
  constructor(
    private readonly options: {
      optIns: OptInStore;
      counters: CounterStore;
      settings: IncrementSettings;
      /** Called after a batch added to the counters (not for a duplicate or an empty one). */
      onCounted?: () => void;
      /**
       * The assistants another source counts for the user (the GitHub import, for Copilot):
       * their events are accepted and not counted, so that nothing is counted twice.
       */
      excludedAssistants?: (
        userEntityRef: string,
      ) => Promise<readonly string[]>;
    },
  ) {}

  /**
   * The user a telemetry token belongs to. Throws an AuthenticationError that says whether the
   * token is unknown, was replaced by a newer one, or was revoked when its user opted out.
   */
  async authenticateToken(token: string): Promise<string> {
    const record = await this.options.optIns.findToken(
      hashTelemetryToken(token),
    );
    if (!record) {
      throw new AuthenticationError(
        'Unknown telemetry token: this portal never issued it. Copy the token shown when you ' +
          `opted in or rotated it under ${OPT_IN_LOCATION}.`,
      );
    }
    if (record.revokedAt && record.revokedReason === 'rotated') {
      throw new AuthenticationError(
        `This telemetry token was replaced by a newer one on ${record.revokedAt.toISOString()} ` +
          'and no longer works: use the newest token.',
      );
    }
    if (record.revokedAt) {
      throw new AuthenticationError(
        `This telemetry token was revoked on ${record.revokedAt.toISOString()} because its user ` +
          `opted out of AI telemetry. To take part again, opt in under ${OPT_IN_LOCATION} and ` +
          'use the new token it shows.',
      );
    }
    return record.userEntityRef;
  }

  /**
   * Counts a batch for the user: all of it, once per batch id, in one transaction. 403 when the
   * user is not opted in; nothing is stored then.
   */
  async ingest(
    userEntityRef: string,
    batch: IngestEventsRequest,
  ): Promise<IngestEventsResponse> {
    const { optIns, counters, settings } = this.options;
    const registration = await optIns.get(userEntityRef);
    if (!registration?.optedIn) {
      throw notOptedInError(userEntityRef, registration);
    }
    const excluded =
      (await this.options.excludedAssistants?.(userEntityRef)) ?? [];
    const increments = toCounterIncrements(batch.events, settings).filter(
      increment => !excluded.includes(increment.labels.assistant),
    );
    const result = await counters.applyBatch({
      userHash: registration.userHash,
      batchId: batch.batchId,
      eventCount: batch.events.length,
      increments,
    });
    if (result.status === 'not_opted_in') {
      // Opted out between the check above and the transaction.
      throw notOptedInError(userEntityRef, await optIns.get(userEntityRef));
    }
    if (result.status === 'applied' && increments.length > 0) {
      this.options.onCounted?.();
    }
    return {
      accepted: result.accepted,
      duplicate: result.status === 'duplicate',
    };
  }
}
