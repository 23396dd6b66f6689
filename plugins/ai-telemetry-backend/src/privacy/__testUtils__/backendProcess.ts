/**
 * A backend process with this plugin alone, for integration tests that kill it: run with tsx,
 * configured by the JSON in FAWKES_TEST_BACKEND_CONFIG (the whole root config). It uses the real
 * scheduler and database services of @backstage/backend-defaults, with mock authentication so
 * that tests can make user and service tokens (mockCredentials).
 */
import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';

const config = process.env.FAWKES_TEST_BACKEND_CONFIG;
if (!config) {
  throw new Error('FAWKES_TEST_BACKEND_CONFIG is not set');
}

const backend = createBackend();
backend.add(mockServices.rootConfig.factory({ data: JSON.parse(config) }));
backend.add(mockServices.auth.factory());
backend.add(mockServices.httpAuth.factory());
backend.add(import('../../index'));
backend.start();
