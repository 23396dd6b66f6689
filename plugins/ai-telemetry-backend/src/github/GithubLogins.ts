import { AuthService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { GITHUB_USER_LOGIN_ANNOTATION } from '@fawkes/plugin-ai-telemetry-common';

/** How long a User's login is remembered for ingestion's check. */
const CACHE_MS = 5 * 60_000;

/**
 * GitHub logins of catalog Users, from their `github.com/user-login` annotation (what
 * Backstage's GitHub org provider sets), read with the plugin's own credentials. Logins are
 * compared in lower case, as GitHub treats them.
 */
export class GithubLogins {
  private readonly cache = new Map<
    string,
    { login: string | undefined; until: number }
  >();

  constructor(
    private readonly options: {
      catalog: CatalogService;
      auth: AuthService;
      now?: () => number;
    },
  ) {}

  /**
   * Every User with a login: entity ref (lower case) → login (lower case). A login that two
   * Users claim belongs to neither: the import could not tell whose usage it is.
   */
  async all(): Promise<Map<string, string>> {
    const { catalog, auth } = this.options;
    const { items } = await catalog.getEntities(
      {
        filter: {
          kind: 'User',
          [`metadata.annotations.${GITHUB_USER_LOGIN_ANNOTATION}`]:
            CATALOG_FILTER_EXISTS,
        },
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.annotations',
        ],
      },
      { credentials: await auth.getOwnServiceCredentials() },
    );
    const byRef = new Map<string, string>();
    const claims = new Map<string, number>();
    for (const entity of items) {
      const login = loginFrom(entity.metadata.annotations);
      if (!login) continue;
      byRef.set(stringifyEntityRef(entity).toLocaleLowerCase('en-US'), login);
      claims.set(login, (claims.get(login) ?? 0) + 1);
    }
    for (const [ref, login] of byRef) {
      if ((claims.get(login) ?? 0) > 1) byRef.delete(ref);
    }
    return byRef;
  }

  /**
   * One User's login, or undefined when the User has none or is not in the catalog; remembered
   * for five minutes. `null` when the User is not in the catalog at all.
   */
  async of(userEntityRef: string): Promise<string | undefined | null> {
    const key = userEntityRef.toLocaleLowerCase('en-US');
    const now = (this.options.now ?? Date.now)();
    const cached = this.cache.get(key);
    if (cached && cached.until > now) return cached.login;
    const { catalog, auth } = this.options;
    const entity = await catalog.getEntityByRef(key, {
      credentials: await auth.getOwnServiceCredentials(),
    });
    if (!entity) return null;
    const login = loginFrom(entity.metadata.annotations);
    this.cache.set(key, { login, until: now + CACHE_MS });
    return login;
  }
}

function loginFrom(
  annotations: Record<string, string> | undefined,
): string | undefined {
  const value = annotations?.[GITHUB_USER_LOGIN_ANNOTATION]?.trim();
  return value ? value.toLowerCase() : undefined;
}
