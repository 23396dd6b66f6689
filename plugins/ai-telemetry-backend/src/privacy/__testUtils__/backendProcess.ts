/**
 * A backend process with this plugin alone, for integration tests that kill it: started by
 * BackendProcess of @fawkes/ai-telemetry-test-utils, which hands it the whole root config. It
 * uses the real scheduler and database services of @backstage/backend-defaults, with mock
 * authentication so that tests can make user and service tokens (mockCredentials).
 *
 * With `fawkesTest.startTasksAtOnce: true` in the root config, the scheduler (Backstage's own,
 * with its database locks) starts every task without its initial delay, so that a test sees
 * the plugin's hourly and daily tasks run at start-up rather than minutes later.
 */
import { createBackend } from '@backstage/backend-defaults';
import { DefaultSchedulerService } from '@backstage/backend-defaults/scheduler';
import {
  coreServices,
  createServiceFactory,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { metricsServiceRef } from '@backstage/backend-plugin-api/alpha';
import { mockServices } from '@backstage/backend-test-utils';
import { backendProcessConfig } from '@fawkes/ai-telemetry-test-utils';

const config = backendProcessConfig();
const startTasksAtOnce =
  (config.fawkesTest as { startTasksAtOnce?: boolean } | undefined)
    ?.startTasksAtOnce === true;

/** Backstage's scheduler, scheduling every task without its initial delay. */
const schedulerStartingTasksAtOnce = createServiceFactory({
  service: coreServices.scheduler,
  deps: {
    database: coreServices.database,
    logger: coreServices.logger,
    rootLifecycle: coreServices.rootLifecycle,
    httpRouter: coreServices.httpRouter,
    pluginMetadata: coreServices.pluginMetadata,
    metrics: metricsServiceRef,
  },
  factory(deps): SchedulerService {
    const scheduler = DefaultSchedulerService.create(deps);
    const atOnce: SchedulerService = {
      triggerTask: id => scheduler.triggerTask(id),
      cancelTask: id => scheduler.cancelTask(id),
      getScheduledTasks: () => scheduler.getScheduledTasks(),
      scheduleTask: task =>
        scheduler.scheduleTask({ ...task, initialDelay: undefined }),
      createScheduledTaskRunner: schedule => ({
        run: task => atOnce.scheduleTask({ ...task, ...schedule }),
      }),
    };
    return atOnce;
  },
});

const backend = createBackend();
backend.add(mockServices.rootConfig.factory({ data: config }));
backend.add(mockServices.auth.factory());
backend.add(mockServices.httpAuth.factory());
if (startTasksAtOnce) {
  backend.add(schedulerStartingTasksAtOnce);
}
backend.add(import('../../index'));
backend.start();
