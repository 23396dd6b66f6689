import { NotAllowedError } from '@backstage/errors';
import {
  DEFAULT_ASSISTANTS,
  DEFAULT_LANGUAGES,
} from '@fawkes/plugin-ai-telemetry-common';
import { CounterStore } from '../database/CounterStore';
import { OptInRecord, OptInStore } from '../database/OptInStore';
import { IngestionService } from './IngestionService';
import { hashTelemetryToken } from '../optIn/telemetryTokens';

const JANE = 'user:default/jane.doe';
const registration: OptInRecord = {
  userEntityRef: JANE,
  userHash: 'a'.repeat(64),
  optedIn: true,
  since: new Date('2026-11-01T00:00:00Z'),
  createdAt: new Date('2026-11-01T00:00:00Z'),
  updatedAt: new Date('2026-11-01T00:00:00Z'),
};

function service(optIns: Partial<OptInStore>, counters: Partial<CounterStore>) {
  return new IngestionService({
    optIns: optIns as OptInStore,
    counters: counters as CounterStore,
    settings: {
      languages: DEFAULT_LANGUAGES,
      assistants: DEFAULT_ASSISTANTS,
      secondsPerLine: 12,
    },
  });
}

const batch = {
  batchId: 'b1',
  events: [{ kind: 'feature' as const, feature: 'chat' as const }],
};

describe('IngestionService', () => {
  it('applies a batch under the user pseudonym, in one call to the store', async () => {
    const applyBatch = jest
      .fn()
      .mockResolvedValue({ status: 'applied', accepted: 1 });
    const ingestion = service(
      { get: async () => registration },
      { applyBatch },
    );

    await expect(ingestion.ingest(JANE, batch)).resolves.toEqual({
      accepted: 1,
      duplicate: false,
    });
    expect(applyBatch).toHaveBeenCalledTimes(1);
    expect(applyBatch).toHaveBeenCalledWith({
      userHash: registration.userHash,
      batchId: 'b1',
      eventCount: 1,
      increments: [
        {
          metric: 'ai_copilot_feature_usage',
          labels: { feature: 'chat', assistant: 'other' },
          valueMilli: 1000,
        },
      ],
    });
  });

  it('refuses with 403 a user who opted out while the batch was on its way', async () => {
    const get = jest
      .fn()
      .mockResolvedValueOnce(registration)
      .mockResolvedValueOnce({
        ...registration,
        optedIn: false,
        since: undefined,
      });
    const ingestion = service(
      { get },
      { applyBatch: async () => ({ status: 'not_opted_in' }) },
    );

    const error = await ingestion.ingest(JANE, batch).catch(e => e);

    expect(error).toBeInstanceOf(NotAllowedError);
    expect(error.message).toMatch(/opted out of AI telemetry/);
  });

  it('does not reach the counters for a user who never opted in', async () => {
    const applyBatch = jest.fn();
    const ingestion = service({ get: async () => undefined }, { applyBatch });

    await expect(ingestion.ingest(JANE, batch)).rejects.toThrow(
      /has not opted in/,
    );
    expect(applyBatch).not.toHaveBeenCalled();
  });

  it('looks a token up by its hash only', async () => {
    const findToken = jest.fn().mockResolvedValue({
      userEntityRef: JANE,
      issuedBy: 'portal',
      createdAt: new Date(),
    });
    const ingestion = service({ findToken }, {});

    await expect(ingestion.authenticateToken('fat_secret')).resolves.toBe(JANE);
    expect(findToken).toHaveBeenCalledWith(hashTelemetryToken('fat_secret'));
    expect(hashTelemetryToken('fat_secret')).toMatch(/^[0-9a-f]{64}$/);
  });
});
