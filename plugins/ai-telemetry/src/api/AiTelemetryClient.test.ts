import { ResponseError } from '@backstage/errors';
import { AiTelemetryClient } from './AiTelemetryClient';

const BASE = 'http://localhost:7007/api/ai-telemetry';

function clientAnswering(answer: () => Response) {
  const fetch = jest.fn(async (_url: string, _init?: RequestInit) => answer());
  const client = new AiTelemetryClient({
    discoveryApi: { getBaseUrl: async () => BASE },
    fetchApi: { fetch: fetch as unknown as typeof globalThis.fetch },
  });
  return { client, fetch };
}

function json(body: unknown, status = 200): Response {
  return {
    ok: status < 400,
    status,
    statusText: status < 400 ? 'OK' : 'Forbidden',
    url: BASE,
    headers: { get: () => 'application/json' },
    json: async () => body,
    text: async () => JSON.stringify(body),
    blob: async () => ({ size: JSON.stringify(body).length }),
  } as unknown as Response;
}

describe('AiTelemetryClient', () => {
  it('asks for the dashboard with the range and filters of the view', async () => {
    const { client, fetch } = clientAnswering(() => json({ panels: {} }));
    await client.getDashboard({
      range: '7d',
      language: 'go',
      assistant: undefined,
    });
    expect(fetch).toHaveBeenCalledWith(
      `${BASE}/v1/dashboard?range=7d&language=go`,
      undefined,
    );
  });

  it('asks for one panel, and for a team by its entity ref parts', async () => {
    const { client, fetch } = clientAnswering(() => json({}));
    await client.getPanel('timeSaved', {
      from: '2026-11-01T00:00:00Z',
      to: '2026-11-08T00:00:00Z',
    });
    await client.getTeamDashboard(
      { namespace: 'default', name: 'search & discovery' },
      {},
    );
    expect(fetch.mock.calls.map(c => c[0])).toEqual([
      `${BASE}/v1/panels/timeSaved?from=2026-11-01T00%3A00%3A00Z&to=2026-11-08T00%3A00%3A00Z`,
      `${BASE}/v1/teams/default/search%20%26%20discovery/dashboard`,
    ]);
  });

  it('opts in and out (with erasure) with a JSON body, rotates, and erases with the right methods', async () => {
    const { client, fetch } = clientAnswering(() => json({}));
    await client.setOptIn(true);
    await client.setOptIn(false, { erase: true });
    await client.rotateToken();
    await client.requestErasure();
    expect(fetch.mock.calls).toEqual([
      [
        `${BASE}/v1/me/opt-in`,
        {
          method: 'PUT',
          headers: { 'Content-Type': 'application/json' },
          body: '{"enabled":true}',
        },
      ],
      [
        `${BASE}/v1/me/opt-in`,
        {
          method: 'PUT',
          headers: { 'Content-Type': 'application/json' },
          body: '{"enabled":false,"erase":true}',
        },
      ],
      [`${BASE}/v1/me/token`, { method: 'POST' }],
      [`${BASE}/v1/me/erasure`, { method: 'POST' }],
    ]);
  });

  it('posts raw PromQL and an erasure on behalf of a user as JSON, and reads their jobs and the audit log', async () => {
    const { client, fetch } = clientAnswering(() => json({}));
    await client.runRawQuery({
      query: 'sum(rate(ai_copilot_suggestions_total[5m]))',
      start: 1762000000,
      end: 1762086400,
      step: '15m',
    });
    await client.requestErasureFor(
      'user:default/jane.doe',
      'request by mail of 3 November',
    );
    await client.requestErasureFor('user:default/john.roe');
    await client.getAdminErasureJobs('user:default/jane.doe');
    await client.getAuditLog();
    await client.getAuditLog({ limit: 50, before: '812' });
    expect(fetch.mock.calls).toEqual([
      [
        `${BASE}/v1/query`,
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: '{"query":"sum(rate(ai_copilot_suggestions_total[5m]))","start":1762000000,"end":1762086400,"step":"15m"}',
        },
      ],
      [
        `${BASE}/v1/admin/erasure`,
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: '{"userEntityRef":"user:default/jane.doe","reason":"request by mail of 3 November"}',
        },
      ],
      [
        `${BASE}/v1/admin/erasure`,
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: '{"userEntityRef":"user:default/john.roe"}',
        },
      ],
      [
        `${BASE}/v1/admin/erasure?userEntityRef=user%3Adefault%2Fjane.doe`,
        undefined,
      ],
      [`${BASE}/v1/admin/audit`, undefined],
      [`${BASE}/v1/admin/audit?limit=50&before=812`, undefined],
    ]);
  });

  it('downloads the personal export through the API (with the user token), as a blob', async () => {
    const { client, fetch } = clientAnswering(() => json({ a: 1 }));
    const blob = await client.downloadMyData('csv');
    expect(fetch).toHaveBeenCalledWith(
      `${BASE}/v1/me/data?format=csv`,
      undefined,
    );
    expect(blob).toEqual({ size: 7 });
  });

  it("reads the GitHub import's state, the Copilot seats and the caller's own import", async () => {
    const { client, fetch } = clientAnswering(() =>
      json({ enabled: false, reason: 'not_configured', message: 'off' }),
    );
    expect(await client.getGithubStatus()).toEqual({
      enabled: false,
      reason: 'not_configured',
      message: 'off',
    });
    await client.getCopilotSeats();
    await client.getMyGithubImport();
    expect(fetch.mock.calls).toEqual([
      [`${BASE}/v1/github/status`, undefined],
      [`${BASE}/v1/github/seats`, undefined],
      [`${BASE}/v1/me/github`, undefined],
    ]);
  });

  it("throws the GitHub routes' errors as ResponseErrors with the message", async () => {
    const { client } = clientAnswering(() =>
      json(
        {
          error: {
            name: 'ServiceUnavailableError',
            message:
              'The catalog could not be read for your GitHub login: ECONNREFUSED',
          },
          response: { statusCode: 503 },
        },
        503,
      ),
    );
    const error = await client.getMyGithubImport().catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(503);
    expect(error.cause.message).toBe(
      'The catalog could not be read for your GitHub login: ECONNREFUSED',
    );
  });

  it("throws a ResponseError carrying the server's message", async () => {
    const { client } = clientAnswering(() =>
      json(
        {
          error: {
            name: 'NotAllowedError',
            message: 'This needs the permission ai-telemetry.team.read',
          },
          response: { statusCode: 403 },
        },
        403,
      ),
    );
    const error = await client
      .getTeamDashboard({ namespace: 'default', name: 'checkout' }, {})
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(403);
    expect(error.cause.message).toBe(
      'This needs the permission ai-telemetry.team.read',
    );
  });
});
