import { createServiceFactory } from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import {
  optIn,
  startAiTelemetryTestBackend,
  userAuthorization,
} from '../__testUtils__/testBackend';
import {
  OTLP_PATH,
  exportRequest,
  sum,
} from '../otlp/__testUtils__/otlpRequests';
import { LiveUpdates } from './LiveUpdates';

jest.setTimeout(60_000);

const JANE = 'user:default/jane.doe';
const JOHN = 'user:default/john.roe';
const EVENTS = '/api/ai-telemetry/v1/events';
const T0 = 1_764_000_000;

const sessionStarted = exportRequest([
  sum('claude_code.session.count', [
    { attributes: { 'session.id': 's-1' }, start: T0, end: T0 + 60, value: 1 },
  ]),
]);

/**
 * The plugin's wiring: which requests count as new data (LiveUpdates.test.ts covers when and
 * what is announced), and that announcements go out through Backstage's signals service.
 */
describe('live signals of the plugin', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  afterEach(() => jest.restoreAllMocks());

  async function start() {
    const countersStored = jest.spyOn(LiveUpdates.prototype, 'countersStored');
    const publish = jest.fn().mockResolvedValue(undefined);
    const backend = await startAiTelemetryTestBackend(databases, {
      features: [
        createServiceFactory({
          service: signalsServiceRef,
          deps: {},
          factory: () => ({ publish }),
        }),
      ],
    });
    const token = await optIn(backend.api, JANE);
    return { ...backend, countersStored, publish, token };
  }

  it('takes a counted batch as new data, and no batch that counts nothing', async () => {
    const { api, countersStored, token } = await start();
    const send = (authorization: string, body: object) =>
      api.post(EVENTS).set('Authorization', authorization).send(body);
    const batch = {
      batchId: 'batch-1',
      events: [
        { kind: 'suggestion', language: 'python', accepted: true, lines: 7 },
      ],
    };

    expect((await send(`Bearer ${token}`, batch)).status).toBe(202);
    expect(countersStored).toHaveBeenCalledTimes(1);

    // The same batch again, a user who never opted in, and a batch that is refused.
    const duplicate = await send(`Bearer ${token}`, batch);
    expect(duplicate.body).toEqual({ accepted: 1, duplicate: true });
    expect((await send(userAuthorization(JOHN), batch)).status).toBe(403);
    const refused = await send(`Bearer ${token}`, {
      batchId: 'batch-2',
      events: [{ kind: 'suggestion', language: 'python', lines: -1 }],
    });
    expect(refused.status).toBe(400);
    expect(countersStored).toHaveBeenCalledTimes(1);
  });

  it('takes an OTLP export that counted as new data, and not the same export again', async () => {
    const { api, countersStored, token } = await start();
    const post = () =>
      api
        .post(OTLP_PATH)
        .set('Authorization', `Bearer ${token}`)
        .set('Content-Type', 'application/json')
        .send(sessionStarted);

    expect((await post()).status).toBe(200);
    expect(countersStored).toHaveBeenCalledTimes(1);
    expect((await post()).status).toBe(200);
    expect(countersStored).toHaveBeenCalledTimes(1);
  });

  it('announces through the signals service, to everyone, without user or figures', async () => {
    const { api, countersStored, publish, token } = await start();
    await api
      .post(EVENTS)
      .set('Authorization', `Bearer ${token}`)
      .send({ batchId: 'b', events: [{ kind: 'feature', feature: 'chat' }] });
    const live = countersStored.mock.contexts[0] as LiveUpdates;

    // The plugin's own LiveUpdates, told of an erasure, which is announced at once.
    live.dataErased();
    await new Promise(resolve => setTimeout(resolve, 50));

    expect(publish).toHaveBeenCalledTimes(1);
    expect(publish).toHaveBeenCalledWith({
      recipients: { type: 'broadcast' },
      channel: 'ai-telemetry:data',
      message: { kind: 'counters-updated', at: expect.any(Number) },
    });
    expect(JSON.stringify(publish.mock.calls[0][0])).not.toMatch(
      /jane|chat|user_hash/,
    );
  });
});
