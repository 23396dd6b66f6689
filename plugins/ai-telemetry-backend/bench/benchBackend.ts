/**
 * The real backend for the benchmarks: the plugin as the portal runs it (its router, OpenAPI
 * validation, auth policies, QueryService, cache, database), in a Backstage test backend
 * (@backstage/backend-test-utils startTestBackend) listening on a free port, with
 *  - the demo organisation in an in-memory catalog (catalogServiceMock);
 *  - Backstage's in-memory cache store (CacheManager, as a backend without cache config has
 *    it), behind a wrapper that can forget everything, for cold measurements;
 *  - mock auth (user tokens `mockCredentials.user.token(ref)`) and permissions that allow;
 *  - a tiny plugin of the benchmark's own, `bench-floor`, whose `GET /api/bench-floor/ping`
 *    authenticates the user and answers a small JSON body: Backstage's floor in the same
 *    process and HTTP stack.
 * Only `aiTelemetryPlugin` is imported from src/, so the benchmarks follow the plugin's own
 * wiring whatever its internals become.
 */
import {
  CacheService,
  CacheServiceOptions,
  LoggerService,
  coreServices,
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { CacheManager } from '@backstage/backend-defaults/cache';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import Router from 'express-promise-router';
import { aiTelemetryPlugin } from '../src/plugin';
import { catalogEntities, DemoOrgFile } from './benchData';

/** Backstage's in-memory cache, every key behind a prefix that `clear()` changes. */
class ClearableCache {
  private epoch = 0;
  private readonly stores = new Map<string, CacheService>();
  private readonly manager = CacheManager.fromConfig(new ConfigReader({}));

  forPlugin(pluginId: string): CacheService {
    let store = this.stores.get(pluginId);
    if (!store) {
      store = this.manager.forPlugin(pluginId);
      this.stores.set(pluginId, store);
    }
    return this.wrap(store);
  }

  /** Forgets every entry (new keys from now on; the old ones expire). */
  clear(): void {
    this.epoch++;
  }

  private wrap(store: CacheService): CacheService {
    const key = (k: string) => `${this.epoch}:${k}`;
    return {
      get: k => store.get(key(k)),
      set: (k, value, options) => store.set(key(k), value, options),
      delete: k => store.delete(key(k)),
      withOptions: (options: CacheServiceOptions) =>
        this.wrap(store.withOptions(options)),
    };
  }
}

/**
 * The backend's log: warnings and errors printed, every message kept, so that a benchmark can
 * wait for one (the activity index's "read ... rule-days" once it has loaded).
 */
class BenchLog {
  readonly messages: string[] = [];
  private readonly waiting: Array<{
    pattern: RegExp;
    resolve: (message: string) => void;
  }> = [];

  logger(): LoggerService {
    const log =
      (level: string) =>
      (message: string): void => {
        this.messages.push(message);
        if (level === 'warn' || level === 'error') {
          console.error(`backend ${level}: ${message}`);
        }
        for (const w of [...this.waiting]) {
          if (w.pattern.test(message)) {
            this.waiting.splice(this.waiting.indexOf(w), 1);
            w.resolve(message);
          }
        }
      };
    const logger: LoggerService = {
      error: log('error'),
      warn: log('warn'),
      info: log('info'),
      debug: () => undefined,
      child: () => logger,
    };
    return logger;
  }

  /** The first message (already logged or to come) that matches. */
  waitFor(pattern: RegExp): Promise<string> {
    const known = this.messages.find(m => pattern.test(m));
    if (known) return Promise.resolve(known);
    return new Promise(resolve => this.waiting.push({ pattern, resolve }));
  }
}

export type BenchBackend = {
  /** Base URL, e.g. http://localhost:12345. */
  url: string;
  /** The plugin's base URL. */
  api: string;
  /** The floor route: authenticated, trivial. */
  floorUrl: string;
  /** Authorization header of a user. */
  authorization(userEntityRef: string): string;
  /** Forgets every cached query result. */
  clearCache(): void;
  /** The first message of the backend's log that matches (already logged or to come). */
  waitForLog(pattern: RegExp): Promise<string>;
  stop(): Promise<void>;
};

/** The benchmark's floor: a route that only authenticates its user and answers. */
const benchFloorPlugin = createBackendPlugin({
  pluginId: 'bench-floor',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
      },
      async init({ httpRouter, httpAuth }) {
        const router = Router();
        router.get('/ping', async (req, res) => {
          const credentials = await httpAuth.credentials(req, {
            allow: ['user'],
          });
          res.json({ ok: true, user: credentials.principal.userEntityRef });
        });
        httpRouter.use(router);
      },
    });
  },
});

export async function startBenchBackend(options: {
  prometheusUrl: string;
  pseudonymKey: string;
  org: DemoOrgFile;
  /** Days of history the backend may show (the benchmark sets may be older than 90 days). */
  retentionDays?: number;
}): Promise<BenchBackend> {
  const cache = new ClearableCache();
  const log = new BenchLog();
  const backend = await startTestBackend({
    features: [
      createServiceFactory({
        service: coreServices.rootLogger,
        deps: {},
        factory: () => log.logger(),
      }),
      aiTelemetryPlugin,
      benchFloorPlugin,
      mockServices.rootConfig.factory({
        data: {
          aiTelemetry: {
            prometheus: { baseUrl: options.prometheusUrl },
            // Nothing listens there; only /health and erasure would ask it.
            pushgateway: { baseUrl: 'http://127.0.0.1:1' },
            pseudonymKey: options.pseudonymKey,
            privacy: { retentionDays: options.retentionDays ?? 90 },
          },
        },
      }),
      mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
      catalogServiceMock.factory({
        entities: catalogEntities(options.org) as never,
      }),
      createServiceFactory({
        service: coreServices.cache,
        deps: { plugin: coreServices.pluginMetadata },
        factory: ({ plugin }) => cache.forPlugin(plugin.getId()),
      }),
    ],
  });
  const url = `http://localhost:${backend.server.port()}`;
  return {
    url,
    api: `${url}/api/ai-telemetry`,
    floorUrl: `${url}/api/bench-floor/ping`,
    authorization: ref => `Bearer ${mockCredentials.user.token(ref)}`,
    clearCache: () => cache.clear(),
    waitForLog: pattern => log.waitFor(pattern),
    stop: () => backend.stop(),
  };
}

/**
 * Opts the users in through the API (PUT /v1/me/opt-in), `concurrency` at a time, as each
 * would from the portal; the backend computes their pseudonyms with its key.
 */
export async function optInAll(
  backend: BenchBackend,
  userEntityRefs: string[],
  concurrency = 8,
): Promise<void> {
  const queue = [...userEntityRefs];
  const worker = async () => {
    for (let ref = queue.shift(); ref; ref = queue.shift()) {
      const res = await fetch(`${backend.api}/v1/me/opt-in`, {
        method: 'PUT',
        headers: {
          authorization: backend.authorization(ref),
          'content-type': 'application/json',
        },
        body: JSON.stringify({ enabled: true }),
      });
      if (res.status !== 200) {
        throw new Error(
          `opt-in of ${ref} answered ${res.status}: ${await res.text()}`,
        );
      }
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
