import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { promises as fs } from 'fs';
import { dirname } from 'path';
import { OptInStore } from '../database/OptInStore';
import { hashTelemetryToken } from '../optIn/telemetryTokens';
import { OptInService } from '../optIn/OptInService';

/** The token file: `{ "<userEntityRef>": "<telemetry token>" }`. */
export type DemoTokens = Record<string, string>;

/**
 * Development only (`aiTelemetry.demo.tokenFile`): registers the demo organisation's simulated
 * developers as opted in, so that the demo's live trickle of events flows through the same
 * ingestion path as a real IDE's.
 *
 * Every catalog User who never chose (no registration) is opted in by the demo and issued a
 * token; users the demo registered before keep theirs, or get a new one when the file lost it.
 * A user who opted out, or opted in or rotated their token in the portal, is left alone. The
 * tokens are written to the token file (mode 0600) for the demo's event generator.
 */
export class DemoRegistration {
  private stopped = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly options: {
      catalog: CatalogService;
      auth: AuthService;
      optIns: OptInStore;
      optInService: OptInService;
      logger: LoggerService;
      tokenFile: string;
      excludeUsers: string[];
    },
  ) {}

  /**
   * One pass: registers the users and writes the token file. Throws when the catalog holds no
   * User yet (its ingestion takes some seconds after start-up).
   */
  async registerOnce(): Promise<DemoTokens> {
    const { catalog, auth, optIns, optInService, tokenFile } = this.options;
    const excluded = new Set(
      this.options.excludeUsers.map(ref => ref.toLocaleLowerCase('en-US')),
    );
    const { items } = await catalog.getEntities(
      {
        filter: { kind: 'User' },
        fields: ['kind', 'metadata.name', 'metadata.namespace'],
      },
      { credentials: await auth.getOwnServiceCredentials() },
    );
    if (items.length === 0) {
      throw new Error('the catalog holds no User entities yet');
    }
    const refs = items
      .map(entity => stringifyEntityRef(entity).toLocaleLowerCase('en-US'))
      .filter(ref => !excluded.has(ref))
      .sort();

    const previous = await readTokenFile(tokenFile);
    const tokens: DemoTokens = {};
    for (const ref of refs) {
      const record = await optIns.get(ref);
      if (!record) {
        tokens[ref] = (await optInService.optIn(ref, 'demo')).token;
        continue;
      }
      if (!record.optedIn || !(await this.managedByDemo(ref))) {
        continue;
      }
      const known = previous[ref];
      const stored = known
        ? await optIns.findToken(hashTelemetryToken(known))
        : undefined;
      tokens[ref] =
        stored && !stored.revokedAt && stored.userEntityRef === ref
          ? known
          : (await optInService.rotateToken(ref, 'demo')).token;
    }
    await writeTokenFile(tokenFile, tokens);
    return tokens;
  }

  /** Runs {@link registerOnce} in the background, retrying until it succeeds or `stop()`. */
  start(options: { retryMs?: number; maxAttempts?: number } = {}): void {
    const retryMs = options.retryMs ?? 5000;
    const maxAttempts = options.maxAttempts ?? 120;
    const { logger, tokenFile } = this.options;
    const attempt = async (n: number) => {
      if (this.stopped) return;
      try {
        const tokens = await this.registerOnce();
        logger.info(
          `Demo: ${
            Object.keys(tokens).length
          } simulated developers are opted in; ` +
            `their telemetry tokens are in ${tokenFile}`,
        );
      } catch (error) {
        if (n >= maxAttempts) {
          logger.warn(
            `Demo: gave up registering the simulated developers after ${n} attempts: ${error}`,
          );
          return;
        }
        logger.debug(`Demo: not registered yet (${error}); retrying`);
        if (!this.stopped) {
          this.timer = setTimeout(() => attempt(n + 1), retryMs);
        }
      }
    };
    void attempt(1);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Whether the demo made the user's current choice and holds their working token. */
  private async managedByDemo(ref: string): Promise<boolean> {
    const { optIns } = this.options;
    const history = await optIns.history(ref);
    if (history[history.length - 1]?.source !== 'demo') {
      return false;
    }
    const active = await optIns.activeToken(ref);
    return !active || active.issuedBy === 'demo';
  }
}

async function readTokenFile(file: string): Promise<DemoTokens> {
  try {
    const parsed = JSON.parse(await fs.readFile(file, 'utf8'));
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {};
  }
}

/** Writes the file whole (temporary file, then rename), readable by its owner only. */
async function writeTokenFile(file: string, tokens: DemoTokens): Promise<void> {
  await fs.mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temporary, `${JSON.stringify(tokens, null, 2)}\n`, {
    mode: 0o600,
  });
  await fs.chmod(temporary, 0o600);
  await fs.rename(temporary, file);
}
