/**
 * A backend process with this plugin and the real catalog (reading the test's organisation from
 * a file), for the GitHub import's integration test, which kills it: started by BackendProcess of
 * @fawkes/ai-telemetry-test-utils, which hands it the whole root config. Backstage's own
 * scheduler and database services; mock authentication, so that the test makes user tokens.
 */
import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';
import { backendProcessConfig } from '@fawkes/ai-telemetry-test-utils';

const backend = createBackend();
backend.add(mockServices.rootConfig.factory({ data: backendProcessConfig() }));
backend.add(mockServices.auth.factory());
backend.add(mockServices.httpAuth.factory());
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('../../index'));
backend.start();
