import {
  AuthService,
  DatabaseService,
  LoggerService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { ServiceUnavailableError } from '@backstage/errors';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  GITHUB_IMPORT_ASSISTANT,
  GithubImportScope,
} from '@fawkes/plugin-ai-telemetry-common';
import {
  AiTelemetryConfig,
  GithubImportSettings,
} from '../config/AiTelemetryConfig';
import { DatabaseGithubImportStore } from '../database/DatabaseGithubImportStore';
import { GithubImportStore } from '../database/GithubImportStore';
import { OptInStore } from '../database/OptInStore';
import { PseudonymCache } from '../optIn/PseudonymCache';
import { RemoteWriteClient } from '../upstream/RemoteWriteClient';
import { GithubClient } from './GithubClient';
import { GithubImporter, SampleWriter } from './GithubImporter';
import { GithubImportFailure } from './GithubImportFailure';
import { GithubImportService } from './GithubImportService';
import { GithubLogins } from './GithubLogins';

/** The scheduler task of the import. */
export const GITHUB_IMPORT_TASK_ID = 'ai-telemetry-github-import';

/** The GitHub Copilot import, wired. */
export type GithubServices = {
  /** What the routes read. */
  service: GithubImportService;
  /** Its records, for erasure and My data. */
  store: GithubImportStore;
  /** The import task's work; absent when the import is off. */
  importer?: GithubImporter;
  /**
   * The assistants whose counts from a developer's clients (events, OTLP) are not counted, since
   * the import is their source of truth: `copilot` for a developer with a GitHub login in the
   * catalog while the import counts usage; none otherwise.
   */
  excludedAssistants(userEntityRef: string): Promise<readonly string[]>;
};

/** The URL whose credentials the integration gives for the scope (an App's installation). */
function credentialsUrl(host: string, scope: GithubImportScope): string {
  return scope.kind === 'organization'
    ? `https://${host}/${scope.name}`
    : `https://${host}/enterprises/${scope.name}`;
}

/**
 * The GitHub API client of `aiTelemetry.github`, with the credentials and API base URL of the
 * `integrations.github` entry of its host. Throws at start-up, naming the keys, when there is no
 * such entry or it has neither a token nor a GitHub App.
 */
export function githubClientFromConfig(
  rootConfig: RootConfigService,
  github: GithubImportSettings,
): GithubClient {
  const integrations = ScmIntegrations.fromConfig(rootConfig);
  const integration = integrations.github.byHost(github.host);
  if (!integration) {
    throw new Error(
      `Invalid configuration: aiTelemetry.github.host is ${github.host}, but integrations.github has no entry for that host`,
    );
  }
  const { token, apps, apiBaseUrl } = integration.config;
  if (!token && !(apps && apps.length > 0)) {
    throw new Error(
      `Invalid configuration: integrations.github entry for ${github.host} needs a token or a GitHub App for aiTelemetry.github (the Copilot reports are not public)`,
    );
  }
  if (!apiBaseUrl) {
    throw new Error(
      `Invalid configuration: integrations.github entry for ${github.host} needs an apiBaseUrl`,
    );
  }
  const provider =
    DefaultGithubCredentialsProvider.fromIntegrations(integrations);
  const url = credentialsUrl(github.host, github.scope);
  return new GithubClient({
    scope: github.scope,
    apiBaseUrl: apiBaseUrl.replace(/\/+$/, ''),
    credentials: async () => {
      try {
        const { headers } = await provider.getCredentials({ url });
        return headers ?? {};
      } catch (error) {
        throw new GithubImportFailure(
          'integration',
          `integrations.github gave no credentials for ${url}: ${
            (error as Error).message
          }`,
          { cause: error as Error },
        );
      }
    },
  });
}

/**
 * Sets up the GitHub Copilot import (docs/architecture.md#the-github-copilot-import): its store
 * and routes' service always (so that My data and erasure cover what it imported, also after it
 * is turned off), and, with `aiTelemetry.github`, its client and a global scheduler task.
 */
export async function setUpGithub(options: {
  rootConfig: RootConfigService;
  database: DatabaseService;
  scheduler: SchedulerService;
  logger: LoggerService;
  catalog: CatalogService;
  auth: AuthService;
  settings: AiTelemetryConfig;
  optIns: OptInStore;
  pseudonyms: PseudonymCache;
  /** Where samples go; default the remote-write receiver of `aiTelemetry.prometheus`. */
  writer?: SampleWriter;
  /** For tests: the client, instead of one from `integrations.github`. */
  client?: GithubClient;
}): Promise<GithubServices> {
  const { settings, database, catalog, auth, optIns, logger } = options;
  const github = settings.github;
  const store = await DatabaseGithubImportStore.create({ database });
  const logins = new GithubLogins({ catalog, auth });
  const service = new GithubImportService({
    settings: github,
    store,
    logins,
    optIns,
    pseudonyms: options.pseudonyms,
    minGroupSize: settings.privacy.minGroupSize,
    seatCostPerMonth: settings.estimates.seatCostPerMonth,
    retentionDays: settings.privacy.retentionDays,
  });
  const excludedAssistants = async (userEntityRef: string) => {
    if (github?.sourceOfTruth !== 'import') return [];
    // With copilot outside aiTelemetry.assistants, the import's counts are `other` too.
    if (!settings.assistants.includes(GITHUB_IMPORT_ASSISTANT)) return [];
    try {
      return (await logins.of(userEntityRef)) ? [GITHUB_IMPORT_ASSISTANT] : [];
    } catch (error) {
      throw new ServiceUnavailableError(
        `The catalog could not be read to tell whether GitHub counts your Copilot usage: ${
          (error as Error).message
        }`,
      );
    }
  };
  if (!github) return { service, store, excludedAssistants };

  const client =
    options.client ?? githubClientFromConfig(options.rootConfig, github);
  const importer = new GithubImporter({
    client,
    store,
    optIns,
    logins,
    writer:
      options.writer ??
      new RemoteWriteClient(
        settings.prometheus.remoteWriteUrl,
        settings.prometheus.headers,
      ),
    settings: github,
    mapping: {
      languages: settings.languages,
      assistants: settings.assistants,
      secondsPerLine: settings.estimates.secondsPerLine,
    },
    logger,
  });
  await options.scheduler.scheduleTask({
    id: GITHUB_IMPORT_TASK_ID,
    scope: 'global',
    ...github.schedule,
    fn: async () => {
      await importer.run();
    },
  });
  return { service, store, importer, excludedAssistants };
}
