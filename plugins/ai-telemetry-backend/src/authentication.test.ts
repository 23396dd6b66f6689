import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { TELEMETRY_TOKEN_PREFIX } from '@fawkes/plugin-ai-telemetry-common';
import {
  createHmac,
  generateKeyPairSync,
  KeyObject,
  randomBytes,
  sign,
} from 'crypto';
import Router from 'express-promise-router';
import request from 'supertest';
import { aiTelemetryPlugin } from './plugin';
import { createRouter, RouterOptions } from './router';
import { spec } from './schema/openapi.generated';
import { listRoutes } from './__testUtils__/routes';
import { TEST_AI_TELEMETRY_CONFIG } from './__testUtils__/testBackend';

/**
 * Every route of the plugin (as the router lists them, each looked up in the OpenAPI spec for
 * the credentials it takes, so that a new route is covered as soon as it is mounted) refuses a
 * request without valid credentials of the kind it takes: 401 with Backstage's JSON error, or
 * 403 where the credential is valid but of another kind (a service on a user's route, a user on
 * Prometheus's).
 *
 * What is real here: Backstage's own auth and httpAuth services (@backstage/backend-defaults),
 * which verify user tokens with jose against the JWKS of the `auth` plugin, fetched over HTTP
 * from the test backend; the static external-access token of `backend.auth.externalAccess`;
 * and the plugin's telemetry tokens, issued at opt-in and looked up by hash in the database.
 * What stands in: the `auth` plugin itself, reduced to what verification needs of it, its
 * public key at `/.well-known/jwks.json`, and a token issuer (an ES256 key pair made by this
 * test) that signs user tokens as the auth backend does (`typ: vnd.backstage.user`, `sub`,
 * `ent`, `iat`, `exp`).
 */

const ADMIN = 'user:default/telemetry-admin';
const DEVELOPER = 'user:default/dev';
const BASE = '/api/ai-telemetry';
const SCRAPE_TOKEN = 'scrape-token-0123456789abcdefghijklmnopqrstuvwxyz';

type Key = { privateKey: KeyObject; publicKey: KeyObject; kid: string };

function keyPair(kid: string): Key {
  return { ...generateKeyPairSync('ec', { namedCurve: 'P-256' }), kid };
}

const base64url = (value: string | Buffer) =>
  Buffer.from(value).toString('base64url');

/** A Backstage user token, signed with `key` as the auth backend signs them. */
function userToken(
  key: Key,
  sub: string,
  options: { expiresIn?: number; header?: Record<string, unknown> } = {},
): string {
  // An hour's validity, ending `expiresIn` seconds from now.
  const exp = Math.floor(Date.now() / 1000) + (options.expiresIn ?? 3600);
  const header = base64url(
    JSON.stringify({
      alg: 'ES256',
      typ: 'vnd.backstage.user',
      kid: key.kid,
      ...options.header,
    }),
  );
  const payload = base64url(
    JSON.stringify({
      iss: 'http://localhost/api/auth',
      sub,
      ent: [sub],
      aud: 'backstage',
      iat: exp - 3600,
      exp,
    }),
  );
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), {
    key: key.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${header}.${payload}.${base64url(signature)}`;
}

const issuer = keyPair('test-issuer-key');

/** The `auth` plugin, as far as token verification needs it: its public keys. */
const standInAuthPlugin = createBackendPlugin({
  pluginId: 'auth',
  register(env) {
    env.registerInit({
      deps: { httpRouter: coreServices.httpRouter },
      async init({ httpRouter }) {
        const router = Router();
        router.get('/.well-known/jwks.json', (_req, res) => {
          res.json({
            keys: [
              {
                ...issuer.publicKey.export({ format: 'jwk' }),
                kid: issuer.kid,
                alg: 'ES256',
                use: 'sig',
              },
            ],
          });
        });
        httpRouter.use(router);
        httpRouter.addAuthPolicy({
          path: '/.well-known/jwks.json',
          allow: 'unauthenticated',
        });
      },
    });
  },
});

type Operation = { security?: Array<Record<string, unknown>> };
const document = structuredClone(spec) as unknown as {
  paths: Record<string, Record<string, Operation>>;
};

/** The credentials a route takes, as its spec says; the spec itself takes any Backstage token. */
function schemesOf(method: string, path: string): Set<string> {
  const operation =
    document.paths[path.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
  const security = operation?.security ?? [
    { BackstageUserToken: [] },
    { BackstageServiceToken: [] },
  ];
  return new Set(
    security.flatMap(s => (Object.keys(s).length ? Object.keys(s) : ['none'])),
  );
}

/**
 * A request each route would take from the right caller, so that what refuses it is the
 * credential (routes validate their parameters and bodies against the spec before they look at
 * the kind of caller). A route not named here gets its path with `{}`.
 */
const REQUESTS: Record<string, { url: string; body?: object }> = {
  'PUT /v1/me/opt-in': { url: '/v1/me/opt-in', body: { enabled: true } },
  'POST /v1/events': {
    url: '/v1/events',
    body: { batchId: 'auth', events: [{ kind: 'feature', feature: 'chat' }] },
  },
  'POST /v1/query': {
    url: '/v1/query',
    body: {
      query: 'sum(rate(ai_copilot_suggestions_total[5m]))',
      start: 1794000000,
      end: 1794003600,
      step: 300,
    },
  },
  'POST /v1/admin/erasure': {
    url: '/v1/admin/erasure',
    body: { userEntityRef: DEVELOPER },
  },
  'GET /v1/admin/erasure': {
    url: `/v1/admin/erasure?userEntityRef=${DEVELOPER}`,
  },
};

function requestOf(method: string, path: string) {
  return (
    REQUESTS[`${method} ${path}`] ?? {
      url: path
        .replace(':id', 'overview')
        .replace(':namespace', 'default')
        .replace(':name', 'team-a'),
      body: {},
    }
  );
}

describe('authentication, at every route', () => {
  // Some hundreds of requests a test, on a shared CI machine.
  jest.setTimeout(60_000);

  let api: ReturnType<typeof request>;
  let routes: Array<{ method: string; path: string }>;
  let telemetryToken: string;
  let revokedTelemetryToken: string;

  beforeAll(async () => {
    // Each plugin its own in-memory database: the auth services of two plugins keep their
    // keys in tables of the same names.
    const { server } = await startTestBackend({
      features: [
        aiTelemetryPlugin,
        authServiceFactory,
        httpAuthServiceFactory,
        standInAuthPlugin,
        catalogServiceMock.factory(),
        mockServices.rootConfig.factory({
          data: {
            backend: {
              auth: {
                externalAccess: [
                  {
                    type: 'static',
                    options: {
                      token: SCRAPE_TOKEN,
                      subject: 'prometheus-scrape',
                    },
                    accessRestrictions: [{ plugin: 'ai-telemetry' }],
                  },
                ],
              },
            },
            aiTelemetry: {
              ...TEST_AI_TELEMETRY_CONFIG,
              permissions: { admins: [ADMIN] },
            },
          },
        }),
      ],
    });
    api = request(server);
    const optIn = async (user: string) => {
      const res = await api
        .put(`${BASE}/v1/me/opt-in`)
        .set('Authorization', `Bearer ${userToken(issuer, user)}`)
        .send({ enabled: true });
      if (res.status !== 200) {
        throw new Error(`opt-in: ${res.status} ${res.text}`);
      }
      return res.body.token as string;
    };
    // The first token of the developer is revoked when they ask for a new one.
    revokedTelemetryToken = await optIn(DEVELOPER);
    const renewed = await api
      .post(`${BASE}/v1/me/token`)
      .set('Authorization', `Bearer ${userToken(issuer, DEVELOPER)}`);
    if (renewed.status !== 200) {
      throw new Error(`token renewal: ${renewed.status} ${renewed.text}`);
    }
    telemetryToken = renewed.body.token;
    await optIn(ADMIN);
    // Listing routes only: the services are never called.
    const stubs = new Proxy({}, { get: () => ({}) }) as RouterOptions;
    routes = listRoutes(await createRouter(stubs));
  }, 60_000);

  const send = (
    method: string,
    path: string,
    authorization: string | undefined,
  ) => {
    const { url: target, body } = requestOf(method, path);
    const url = `${BASE}${target}`;
    let req = api[method.toLowerCase() as 'get' | 'put' | 'post'](url);
    if (authorization !== undefined) {
      req = req.set('Authorization', authorization);
    }
    return method === 'GET' ? req : req.send(body ?? {});
  };

  /** Credentials no route may take, each with what makes it worthless. */
  function forgedCredentials(): Array<[string, string | undefined]> {
    const genuine = userToken(issuer, 'user:default/nobody');
    const [header, , signature] = genuine.split('.');
    const [, adminPayload] = userToken(issuer, ADMIN).split('.');
    const unsignedHeader = base64url(
      JSON.stringify({
        alg: 'none',
        typ: 'vnd.backstage.user',
        kid: issuer.kid,
      }),
    );
    const another = keyPair(issuer.kid);
    return [
      ['no credentials', undefined],
      ['an empty bearer', 'Bearer '],
      ['a garbage bearer', 'Bearer garbage'],
      ['three garbage parts', 'Bearer a.b.c'],
      ['another scheme', `Basic ${base64url('admin:admin')}`],
      [
        'an expired user token',
        `Bearer ${userToken(issuer, ADMIN, { expiresIn: -600 })}`,
      ],
      ['alg: none', `Bearer ${unsignedHeader}.${adminPayload}.`],
      [
        'alg: none with the original signature',
        `Bearer ${unsignedHeader}.${adminPayload}.${signature}`,
      ],
      [
        'a changed payload with the original signature',
        `Bearer ${header}.${adminPayload}.${signature}`,
      ],
      [
        'a token signed by another key under the same kid',
        `Bearer ${userToken(another, ADMIN)}`,
      ],
      [
        'alg: HS256 keyed with the public key',
        `Bearer ${hs256WithPublicKey(ADMIN)}`,
      ],
      [
        'a made-up telemetry token',
        `Bearer ${TELEMETRY_TOKEN_PREFIX}${randomBytes(32).toString(
          'base64url',
        )}`,
      ],
      [
        'a telemetry token with one character changed',
        `Bearer ${changeOne(telemetryToken)}`,
      ],
      ['a revoked telemetry token', `Bearer ${revokedTelemetryToken}`],
      [
        'the scrape token with one character changed',
        `Bearer ${changeOne(SCRAPE_TOKEN)}`,
      ],
    ];
  }

  it('finds the routes in the router, and the credentials each takes in the spec', () => {
    expect(routes.length).toBeGreaterThan(15);
    const schemes = routes.map(r => [...schemesOf(r.method, r.path)]);
    expect(schemes.flat()).toEqual(
      expect.arrayContaining(['none', 'BackstageUserToken', 'TelemetryToken']),
    );
  });

  it('answers a forged, expired, revoked or missing credential 401 on every route that needs one', async () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const { method, path } of routes) {
      if (schemesOf(method, path).has('none')) continue;
      for (const [what, authorization] of forgedCredentials()) {
        const res = await send(method, path, authorization);
        checked++;
        if (
          res.status !== 401 ||
          res.body?.error?.name !== 'AuthenticationError' ||
          !res.body.error.message
        ) {
          wrong.push(
            `${method} ${path} with ${what}: ${res.status} ${res.text.slice(
              0,
              200,
            )}`,
          );
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(15 * 15);
  });

  it('tells an anonymous route the status alone, whatever the forged credential', async () => {
    for (const { method, path } of routes) {
      if (!schemesOf(method, path).has('none')) continue;
      for (const [what, authorization] of forgedCredentials()) {
        const res = await send(method, path, authorization);
        expect([what, res.status, Object.keys(res.body)]).toEqual([
          what,
          200,
          ['status'],
        ]);
      }
    }
  });

  it('refuses a valid credential of another kind: a telemetry token on user routes, a service on user routes, a user on the scrape route', async () => {
    const wrong: string[] = [];
    for (const { method, path } of routes) {
      const schemes = schemesOf(method, path);
      if (schemes.has('none')) continue;
      const attempts: Array<[string, string]> = [];
      if (!schemes.has('TelemetryToken')) {
        attempts.push(['a telemetry token', `Bearer ${telemetryToken}`]);
      }
      if (!schemes.has('BackstageServiceToken')) {
        attempts.push(['the static scrape token', `Bearer ${SCRAPE_TOKEN}`]);
      }
      if (
        !schemes.has('BackstageUserToken') &&
        !schemes.has('TelemetryToken')
      ) {
        attempts.push(['a user token', `Bearer ${userToken(issuer, ADMIN)}`]);
      }
      for (const [what, authorization] of attempts) {
        const res = await send(method, path, authorization);
        const name = { 401: 'AuthenticationError', 403: 'NotAllowedError' }[
          res.status as 401
        ];
        if (
          !name ||
          res.body?.error?.name !== name ||
          !res.body.error.message
        ) {
          wrong.push(
            `${method} ${path} with ${what}: ${res.status} ${res.text.slice(
              0,
              200,
            )}`,
          );
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('lets the genuine credentials through (so that what refuses the others is their flaw)', async () => {
    const wrong: string[] = [];
    for (const { method, path } of routes) {
      const schemes = schemesOf(method, path);
      let genuine = `Bearer ${SCRAPE_TOKEN}`;
      if (schemes.has('TelemetryToken')) genuine = `Bearer ${telemetryToken}`;
      if (schemes.has('BackstageUserToken')) {
        genuine = `Bearer ${userToken(issuer, ADMIN)}`;
      }
      const res = await send(method, path, genuine);
      if (res.status === 401 || res.status === 403) {
        wrong.push(
          `${method} ${path}: ${res.status} ${res.text.slice(0, 200)}`,
        );
      }
    }
    expect(wrong).toEqual([]);
    // The telemetry routes take the current telemetry token, of an opted-in developer.
    const events = await api
      .post(`${BASE}/v1/events`)
      .set('Authorization', `Bearer ${telemetryToken}`)
      .send({
        batchId: 'auth-1',
        events: [{ kind: 'feature', feature: 'chat' }],
      });
    expect(events.status).toBe(202);
  });
});

/** The token with one character of its secret part changed. */
function changeOne(token: string): string {
  const at = token.length - 5;
  const swapped = token[at] === 'A' ? 'B' : 'A';
  return token.slice(0, at) + swapped + token.slice(at + 1);
}

/**
 * The classic key-confusion forgery: an HS256 token whose HMAC key is the issuer's public key,
 * for a verifier that would take the algorithm from the token.
 */
function hs256WithPublicKey(sub: string): string {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(
    JSON.stringify({
      alg: 'HS256',
      typ: 'vnd.backstage.user',
      kid: issuer.kid,
    }),
  );
  const payload = base64url(
    JSON.stringify({
      sub,
      ent: [sub],
      aud: 'backstage',
      iat: now,
      exp: now + 3600,
    }),
  );
  const key = issuer.publicKey.export({ format: 'pem', type: 'spki' });
  const mac = createHmac('sha256', key).update(`${header}.${payload}`).digest();
  return `${header}.${payload}.${base64url(mac)}`;
}
