/**
 * One source of truth for Copilot: with the import counting it (the default), a developer with a
 * GitHub login in the catalog has their clients' Copilot counts left out (events accepted and not
 * counted, OTLP points refused as duplicate_source); everyone else's, and every other assistant,
 * count as before; with `sourceOfTruth: clients`, nothing is left out.
 */
import { TestDatabases } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { GITHUB_USER_LOGIN_ANNOTATION } from '@fawkes/plugin-ai-telemetry-common';
import {
  optIn,
  startAiTelemetryTestBackend,
} from '../__testUtils__/testBackend';
import {
  exportRequest,
  OTLP_PATH,
  sum,
} from '../otlp/__testUtils__/otlpRequests';

jest.setTimeout(30_000);

const ADA = 'user:default/ada';
const DEE = 'user:default/dee';
const catalog = catalogServiceMock.factory({
  entities: [
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: {
        name: 'ada',
        annotations: { [GITHUB_USER_LOGIN_ANNOTATION]: 'ada-gh' },
      },
      spec: {},
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: { name: 'dee' },
      spec: {},
    },
  ],
});

describe('one source of truth for Copilot', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  async function start(sourceOfTruth: 'import' | 'clients') {
    const backend = await startAiTelemetryTestBackend(databases, {
      aiTelemetry: {
        github: {
          organization: 'fawkes',
          host: 'github.test',
          sourceOfTruth,
          schedule: { frequency: { hours: 24 }, initialDelay: { hours: 24 } },
        },
      },
      config: {
        integrations: {
          github: [
            {
              host: 'github.test',
              apiBaseUrl: 'http://127.0.0.1:1',
              token: 'x',
            },
          ],
        },
      },
      features: [catalog],
    });
    const send = async (user: string) => {
      const token = await optIn(backend.api, user);
      const events = await backend.api
        .post('/api/ai-telemetry/v1/events')
        .set('Authorization', `Bearer ${token}`)
        .send({
          batchId: 'b1',
          events: [
            {
              kind: 'feature',
              feature: 'chat',
              assistant: 'copilot',
              count: 2,
            },
            { kind: 'feature', feature: 'chat', assistant: 'cody', count: 3 },
          ],
        });
      const otlp = await backend.api
        .post(OTLP_PATH)
        .set('Authorization', `Bearer ${token}`)
        .send(
          exportRequest(
            [
              sum('copilot_chat.session.count', [
                { start: 1, end: 2, value: 4 },
              ]),
            ],
            { 'service.name': 'copilot-chat' },
            'copilot-chat',
          ),
        );
      return { events, otlp };
    };
    const counted = async (user: string) => {
      const { user_hash } = await backend
        .knex('opt_ins')
        .where({ user_entity_ref: user })
        .first('user_hash');
      const rows = await backend
        .knex('counters')
        .where({ user_hash })
        .select('metric', 'labels', 'value_milli');
      return rows
        .map(r => `${r.metric}${r.labels} ${Number(r.value_milli) / 1000}`)
        .sort();
    };
    return { send, counted };
  }

  it('leaves out the Copilot counts of clients for a developer the import covers', async () => {
    const { send, counted } = await start('import');
    const ada = await send(ADA);
    expect(ada.events.status).toBe(202);
    expect(ada.events.body).toEqual({ accepted: 2, duplicate: false });
    expect(ada.otlp.body.partialSuccess).toMatchObject({
      rejectedDataPoints: '1',
      errorMessage: expect.stringContaining('duplicate_source'),
    });
    expect(await counted(ADA)).toEqual([
      'ai_copilot_feature_usage{"feature":"chat","assistant":"cody"} 3',
    ]);

    await send(DEE);
    expect(await counted(DEE)).toEqual([
      'ai_copilot_feature_usage{"feature":"chat","assistant":"cody"} 3',
      'ai_copilot_feature_usage{"feature":"chat","assistant":"copilot"} 2',
      'ai_copilot_sessions_total{"assistant":"copilot"} 4',
    ]);
  });

  it('counts the clients’ Copilot when they are the source of truth', async () => {
    const { send, counted } = await start('clients');
    await send(ADA);
    expect(await counted(ADA)).toEqual([
      'ai_copilot_feature_usage{"feature":"chat","assistant":"cody"} 3',
      'ai_copilot_feature_usage{"feature":"chat","assistant":"copilot"} 2',
      'ai_copilot_sessions_total{"assistant":"copilot"} 4',
    ]);
  });
});
