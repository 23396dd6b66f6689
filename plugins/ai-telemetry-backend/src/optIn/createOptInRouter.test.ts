import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import {
  PSEUDONYM_PATTERN,
  pseudonymize,
} from '@fawkes/plugin-ai-telemetry-common';
import {
  serviceAuthorization,
  startAiTelemetryTestBackend,
  TEST_AI_TELEMETRY_CONFIG,
  userAuthorization,
} from '../__testUtils__/testBackend';

const JANE = 'user:default/jane.doe';
const ME = '/api/ai-telemetry/v1/me';

describe('the opt-in routes', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  it('shows a user who never chose as not opted in, with no pseudonym', async () => {
    const { api } = await startAiTelemetryTestBackend(databases);

    const res = await api.get(ME).set('Authorization', userAuthorization(JANE));

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      userEntityRef: JANE,
      optedIn: false,
      history: [],
    });
  });

  it('opting in answers the pseudonym, a token and the IDE snippet, once', async () => {
    const { api, knex } = await startAiTelemetryTestBackend(databases);

    const res = await api
      .put(`${ME}/opt-in`)
      .set('Authorization', userAuthorization(JANE))
      .send({ enabled: true });

    expect(res.status).toBe(200);
    const userHash = await pseudonymize(
      JANE,
      TEST_AI_TELEMETRY_CONFIG.pseudonymKey,
    );
    expect(res.body).toMatchObject({
      userEntityRef: JANE,
      optedIn: true,
      userHash,
      since: expect.any(String),
      token: expect.stringMatching(/^fat_[A-Za-z0-9_-]{43}$/),
    });
    expect(res.body.userHash).toMatch(PSEUDONYM_PATTERN);
    const lines = res.body.snippet.split('\n');
    expect(lines[0]).toBe('FAWKES_AI_TELEMETRY=enabled');
    expect(lines[1]).toMatch(
      /^FAWKES_AI_TELEMETRY_ENDPOINT=http:\/\/localhost:\d+\/api\/ai-telemetry$/,
    );
    expect(lines[2]).toBe(`FAWKES_AI_TELEMETRY_TOKEN=${res.body.token}`);
    // Only the token's hash is stored.
    const stored = await knex('telemetry_tokens').select();
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(res.body.token);

    const me = await api.get(ME).set('Authorization', userAuthorization(JANE));
    expect(me.body).toEqual({
      userEntityRef: JANE,
      optedIn: true,
      userHash,
      since: res.body.since,
      history: [{ enabled: true, at: res.body.since }],
    });
    expect(me.body.token).toBeUndefined();
  });

  it('opting out answers the new state and keeps the history', async () => {
    const { api } = await startAiTelemetryTestBackend(databases);
    await api
      .put(`${ME}/opt-in`)
      .set('Authorization', userAuthorization(JANE))
      .send({ enabled: true });

    const res = await api
      .put(`${ME}/opt-in`)
      .set('Authorization', userAuthorization(JANE))
      .send({ enabled: false });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ userEntityRef: JANE, optedIn: false });
    expect(res.body.since).toBeUndefined();
    expect(res.body.token).toBeUndefined();
    expect(
      res.body.history.map((h: { enabled: boolean }) => h.enabled),
    ).toEqual([true, false]);
  });

  it('rotates the token of an opted-in user, and refuses one who is not', async () => {
    const { api } = await startAiTelemetryTestBackend(databases);
    const refused = await api
      .post(`${ME}/token`)
      .set('Authorization', userAuthorization(JANE));
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(
      /has not opted in.*Settings → AI Telemetry/,
    );

    const first = await api
      .put(`${ME}/opt-in`)
      .set('Authorization', userAuthorization(JANE))
      .send({ enabled: true });
    const rotated = await api
      .post(`${ME}/token`)
      .set('Authorization', userAuthorization(JANE));

    expect(rotated.status).toBe(200);
    expect(rotated.body.token).toMatch(/^fat_/);
    expect(rotated.body.token).not.toBe(first.body.token);
    expect(rotated.body.since).toBe(first.body.since);
    expect(rotated.body.snippet).toContain(rotated.body.token);
  });

  it.each([
    [{}, /enabled is missing/],
    [{ enabled: 'yes' }, /enabled must be a boolean, got a string/],
    [
      { enabled: true, erase: true },
      /erase true is allowed only with enabled: false/,
    ],
    [{ enabled: false, wipe: true }, /unknown field wipe/],
  ])('refuses the opt-in body %j naming the field', async (body, message) => {
    const { api, knex } = await startAiTelemetryTestBackend(databases);

    const res = await api
      .put(`${ME}/opt-in`)
      .set('Authorization', userAuthorization(JANE))
      .send(body);

    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ name: 'InputError' });
    expect(res.body.error.message).toMatch(message);
    expect(await knex('opt_ins').select()).toEqual([]);
  });

  it('refuses malformed JSON with a 400 that says so', async () => {
    const { api } = await startAiTelemetryTestBackend(databases);

    const res = await api
      .put(`${ME}/opt-in`)
      .set('Authorization', userAuthorization(JANE))
      .set('Content-Type', 'application/json')
      .send('{"enabled": tru');

    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/not valid JSON/);
  });

  it('answers only users: an invalid token is 401, a service is 403', async () => {
    const { api } = await startAiTelemetryTestBackend(databases);

    const anonymous = await api
      .get(ME)
      .set('Authorization', mockCredentials.user.invalidHeader());
    const service = await api
      .get(ME)
      .set('Authorization', serviceAuthorization('prometheus-scrape'));

    expect(anonymous.status).toBe(401);
    expect(service.status).toBe(403);
    expect(service.body.error.message).toMatch(/does not allow 'service'/);
  });
});
