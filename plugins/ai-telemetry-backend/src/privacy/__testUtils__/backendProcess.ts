/**
 * A backend process with this plugin alone, for integration tests that kill it: started by
 * BackendProcess of @fawkes/ai-telemetry-test-utils, which hands it the whole root config. It
 * uses the real scheduler and database services of @backstage/backend-defaults, with mock
 * authentication so that tests can make user and service tokens (mockCredentials).
 */
import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';
import { backendProcessConfig } from '@fawkes/ai-telemetry-test-utils';

const backend = createBackend();
backend.add(mockServices.rootConfig.factory({ data: backendProcessConfig() }));
backend.add(mockServices.auth.factory());
backend.add(mockServices.httpAuth.factory());
backend.add(import('../../index'));
backend.start();
