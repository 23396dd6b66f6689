/**
 * Who may call what, with the real permission framework: this plugin, the catalog (reading a
 * small organisation from YAML), the permission backend with the portal's policy module, and
 * Backstage's real permissions services, so conditional decisions on a Group are evaluated by
 * the catalog as in the portal. The matrix is checked against the router's own route list: a
 * new route without an entry fails here.
 */
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { permissionsRegistryServiceFactory } from '@backstage/backend-defaults/permissionsRegistry';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import { waitFor } from '@fawkes/ai-telemetry-test-utils';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import request from 'supertest';
import { aiTelemetryPlugin } from '../plugin';
import { createRouter, RouterOptions } from '../router';
import { forwardingMockAuthFactory } from '../__testUtils__/forwardingMockAuth';
import { listRoutes } from '../__testUtils__/routes';
import {
  optIn,
  serviceAuthorization,
  TEST_AI_TELEMETRY_CONFIG,
  userAuthorization,
} from '../__testUtils__/testBackend';
import { aiTelemetryPermissionPolicyModule } from './permissionPolicyModule';
import {
  accessOrgYaml,
  ACCESS_ORG,
  ROLE_USERS,
} from './__testUtils__/accessOrg';

type Role = keyof typeof ROLE_USERS | 'service' | 'scraper' | 'anonymous';
const ROLES: Role[] = [
  'admin',
  'member',
  'lead',
  'outsider',
  'service',
  'scraper',
  'anonymous',
];
type Outcome = 'pass' | 'refused';
const USERS_ONLY: Record<Role, Outcome> = {
  admin: 'pass',
  member: 'pass',
  lead: 'pass',
  outsider: 'pass',
  service: 'refused',
  scraper: 'refused',
  anonymous: 'refused',
};
const ADMINS_ONLY: Record<Role, Outcome> = {
  ...USERS_ONLY,
  member: 'refused',
  lead: 'refused',
  outsider: 'refused',
};

/**
 * Every route × role. "pass" means the request got past authentication and authorisation (any
 * answer but 401 or 403; with no Prometheus behind this backend, data routes answer 503);
 * "refused" means 401 or 403. The team route asks for `team-a`, whose member and whose lead
 * (in the parent group `engineering`) may read it.
 */
const MATRIX: Record<string, Record<Role, Outcome>> = {
  'GET /health': {
    ...USERS_ONLY,
    service: 'pass',
    scraper: 'pass',
    anonymous: 'pass',
  },
  // The API's spec (src/schema/openapi.yaml), served by the OpenAPI tooling.
  'GET /openapi.json': { ...USERS_ONLY, service: 'pass', scraper: 'pass' },
  'GET /v1/me': USERS_ONLY,
  'PUT /v1/me/opt-in': USERS_ONLY,
  'POST /v1/me/token': USERS_ONLY,
  'POST /v1/events': USERS_ONLY,
  // A telemetry token or the user's Backstage token, as for events; createOtlpRouter.test.ts
  // covers telemetry tokens.
  'POST /otlp/v1/metrics': USERS_ONLY,
  'GET /v1/metrics': {
    ...ADMINS_ONLY,
    admin: 'refused',
    scraper: 'pass',
  },
  // The weekly report reads the organisation dashboard with a service token.
  'GET /v1/dashboard': { ...USERS_ONLY, service: 'pass', scraper: 'pass' },
  'GET /v1/panels/:id': { ...USERS_ONLY, service: 'pass', scraper: 'pass' },
  'GET /v1/teams/:namespace/:name/dashboard': {
    ...USERS_ONLY,
    outsider: 'refused',
  },
  'POST /v1/query': ADMINS_ONLY,
  'GET /v1/me/data': USERS_ONLY,
  'GET /v1/me/erasure': USERS_ONLY,
  'POST /v1/me/erasure': USERS_ONLY,
  'POST /v1/admin/erasure': ADMINS_ONLY,
  'GET /v1/admin/erasure': ADMINS_ONLY,
  'GET /v1/admin/audit': ADMINS_ONLY,
  // The GitHub Copilot import: organisation figures only (its last error for admins alone, which
  // githubImport.integration.test.ts checks), and the caller's own import.
  'GET /v1/github/status': { ...USERS_ONLY, service: 'pass', scraper: 'pass' },
  'GET /v1/github/seats': { ...USERS_ONLY, service: 'pass', scraper: 'pass' },
  'GET /v1/me/github': USERS_ONLY,
};

/** A request each route understands, so that a pass is not hidden by a 404. */
const REQUESTS: Record<string, { url: string; body?: unknown }> = {
  'GET /v1/panels/:id': { url: '/v1/panels/overview?range=7d' },
  'GET /v1/teams/:namespace/:name/dashboard': {
    url: '/v1/teams/default/team-a/dashboard?range=7d',
  },
  'PUT /v1/me/opt-in': { url: '/v1/me/opt-in', body: { enabled: true } },
  'POST /v1/events': {
    url: '/v1/events',
    body: {
      batchId: 'matrix',
      events: [{ kind: 'feature', feature: 'chat', assistant: 'copilot' }],
    },
  },
  'POST /v1/query': {
    url: '/v1/query',
    body: {
      query: 'sum(ai_copilot_suggestions_total)',
      start: 0,
      end: 60,
      step: 60,
    },
  },
  'POST /v1/admin/erasure': {
    url: '/v1/admin/erasure',
    body: { userEntityRef: ROLE_USERS.member },
  },
  'GET /v1/admin/erasure': {
    url: `/v1/admin/erasure?userEntityRef=${ROLE_USERS.member}`,
  },
};

function authorizationOf(role: Role): string | undefined {
  switch (role) {
    case 'anonymous':
      return undefined;
    case 'service':
      return serviceAuthorization('weekly-report');
    case 'scraper':
      return serviceAuthorization('prometheus-scrape');
    default:
      return userAuthorization(ROLE_USERS[role]);
  }
}

describe('who may call what', () => {
  let api: ReturnType<typeof request>;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ai-telemetry-access-'));
    const orgFile = join(dir, 'org.yaml');
    writeFileSync(orgFile, accessOrgYaml());
    const { server } = await startTestBackend({
      features: [
        aiTelemetryPlugin,
        catalogPlugin,
        permissionPlugin,
        aiTelemetryPermissionPolicyModule,
        permissionsServiceFactory,
        forwardingMockAuthFactory,
        // No Authorization header means nobody (mock auth's default is a signed-in user).
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
        permissionsRegistryServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            catalog: {
              rules: [{ allow: ['User', 'Group'] }],
              locations: [{ type: 'file', target: orgFile }],
            },
            aiTelemetry: {
              ...TEST_AI_TELEMETRY_CONFIG,
              permissions: { admins: [ACCESS_ORG.adminGroup] },
            },
          },
        }),
      ],
    });
    api = request(server);

    // The catalog reads the organisation in the background: wait for its relations.
    await waitFor(
      'the catalog to read the test organisation',
      5_000,
      async () => {
        const res = await api
          .get('/api/catalog/entities/by-name/user/default/member')
          .set('Authorization', userAuthorization(ROLE_USERS.admin));
        if (res.status === 200 && res.body?.relations?.length > 0) return true;
        throw new Error(`${res.status} ${res.text}`);
      },
    );
    for (const user of Object.values(ROLE_USERS)) await optIn(api, user);
  }, 90_000);

  it('has an entry for every route of the router, and no entry for a route that is gone', async () => {
    // Listing routes only: the services are never called.
    const stubs = new Proxy({}, { get: () => ({}) }) as RouterOptions;
    const routes = listRoutes(await createRouter(stubs)).map(
      r => `${r.method} ${r.path}`,
    );
    expect([...routes].sort()).toEqual(Object.keys(MATRIX).sort());
  });

  const requestFor = (method: string, path: string) => {
    if (method === 'GET') return api.get(path);
    if (method === 'PUT') return api.put(path);
    return api.post(path);
  };

  it.each(Object.keys(MATRIX))('%s', async route => {
    const [method, path] = route.split(' ');
    const { url, body } = REQUESTS[route] ?? { url: path };
    const outcomes: Record<string, string> = {};
    const expected: Record<string, string> = {};
    for (const role of ROLES) {
      let req = requestFor(method, `/api/ai-telemetry${url}`);
      const authorization = authorizationOf(role);
      if (authorization) req = req.set('Authorization', authorization);
      const res =
        body === undefined ? await req : await req.send(body as object);
      outcomes[role] = `${
        res.status === 401 || res.status === 403 ? 'refused' : 'pass'
      } (${res.status})`;
      expected[role] = MATRIX[route][role];
    }
    expect(
      Object.fromEntries(
        Object.entries(outcomes).map(([role, o]) => [role, o.split(' ')[0]]),
      ),
    ).toEqual(expected);
  });

  it('lets a lead read the department, and a team member not the department above', async () => {
    const get = (user: string, group: string) =>
      api
        .get(`/api/ai-telemetry/v1/teams/default/${group}/dashboard?range=7d`)
        .set('Authorization', userAuthorization(user));
    const lead = await get(ROLE_USERS.lead, 'engineering');
    const member = await get(ROLE_USERS.member, 'engineering');
    const sre = await get('user:default/sre', 'marketing');

    expect(lead.status).not.toBe(403);
    expect(member.status).toBe(403);
    expect(member.body.error.message).toBe(
      'This needs the permission ai-telemetry.team.read on group:default/engineering',
    );
    // A member of a team below the admin group is an admin: every team.
    expect(sre.status).not.toBe(403);
  });

  it('answers an admin 404 for a Group that does not exist, and others 403', async () => {
    const admin = await api
      .get('/api/ai-telemetry/v1/teams/default/nowhere/dashboard')
      .set('Authorization', userAuthorization(ROLE_USERS.admin));
    const outsider = await api
      .get('/api/ai-telemetry/v1/teams/default/nowhere/dashboard')
      .set('Authorization', userAuthorization(ROLE_USERS.outsider));
    expect(admin.status).toBe(404);
    expect(outsider.status).toBe(403);
  });

  it('keeps mock credentials honest: a forged user header is not a user', async () => {
    const res = await api
      .post('/api/ai-telemetry/v1/query')
      .set('Authorization', `Bearer ${mockCredentials.user.invalidToken()}`)
      .send(REQUESTS['POST /v1/query'].body as object);
    expect(res.status).toBe(401);
  });
});
