import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { BackendFeature } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import request from 'supertest';
import { aiTelemetryPlugin } from '../plugin';

/** The plugin's configuration in tests: nothing listens at the upstream URLs. */
export const TEST_AI_TELEMETRY_CONFIG = {
  prometheus: { baseUrl: 'http://127.0.0.1:1' },
  pushgateway: { baseUrl: 'http://127.0.0.1:1' },
  pseudonymKey: 'test-pseudonym-key-0123456789',
};

/** The Authorization header of a Backstage user token (mock auth). */
export function userAuthorization(userEntityRef: string): string {
  return `Bearer ${mockCredentials.user.token(userEntityRef)}`;
}

/** The Authorization header of a service principal's token (mock auth). */
export function serviceAuthorization(subject: string): string {
  return `Bearer ${mockCredentials.service.token({
    onBehalfOf: mockCredentials.service(subject),
    targetPluginId: 'ai-telemetry',
  })}`;
}

/**
 * The plugin alone in a test backend, on a fresh SQLite database that the test can inspect.
 * Call `TestDatabases.create()` once per test file and pass it in.
 */
export async function startAiTelemetryTestBackend(
  databases: TestDatabases,
  options: {
    /** Settings merged over {@link TEST_AI_TELEMETRY_CONFIG}. */
    aiTelemetry?: Record<string, unknown>;
    /** More root config, e.g. `backend.auth`. */
    config?: Record<string, unknown>;
    features?: BackendFeature[];
  } = {},
): Promise<{ api: ReturnType<typeof request>; knex: Knex }> {
  const knex = await databases.init('SQLITE_3');
  const { server } = await startTestBackend({
    features: [
      aiTelemetryPlugin,
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: {
          ...options.config,
          aiTelemetry: { ...TEST_AI_TELEMETRY_CONFIG, ...options.aiTelemetry },
        },
      }),
      ...(options.features ?? []),
    ],
  });
  return { api: request(server), knex };
}

/** Opts the user in through the API and returns the telemetry token it answers with. */
export async function optIn(
  api: ReturnType<typeof request>,
  userEntityRef: string,
): Promise<string> {
  const res = await api
    .put('/api/ai-telemetry/v1/me/opt-in')
    .set('Authorization', userAuthorization(userEntityRef))
    .send({ enabled: true });
  if (res.status !== 200) {
    throw new Error(
      `opt-in of ${userEntityRef} answered ${res.status}: ${res.text}`,
    );
  }
  return res.body.token;
}
