import { AuthService } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  RELATION_CHILD_OF,
  RELATION_MEMBER_OF,
  RELATION_PARENT_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { CatalogService } from '@backstage/plugin-catalog-node';

/** How long one user's memberships are reused before the catalog is asked again. */
const MEMBERSHIP_TTL_MS = 60_000;
/** At most this many users' memberships are kept. */
const MEMBERSHIP_CACHE_SIZE = 10_000;
const FIELDS = ['kind', 'metadata.namespace', 'metadata.name', 'relations'];

/** What the policy needs to know of one user, from the catalog. */
export type Membership = {
  /** Every Group the user is a direct member of. */
  groups: string[];
  /** Those Groups and all their ancestors (parents, grand-parents, …). */
  withAncestors: string[];
  /** Those Groups and all their descendants: the teams the user may read as member or lead. */
  withDescendants: string[];
};

function relationTargets(entity: Entity, type: string): string[] {
  return (entity.relations ?? [])
    .filter(r => r.type === type && r.targetRef.startsWith('group:'))
    .map(r => r.targetRef.toLocaleLowerCase('en-US'));
}

/**
 * Reads `aiTelemetry.permissions.admins`: user or group entity refs. Throws naming the key when
 * an entry is not a user or group ref. Missing means nobody is a telemetry admin.
 */
export function readTelemetryAdmins(config: Config): string[] {
  const key = 'aiTelemetry.permissions.admins';
  let values: string[] | undefined;
  try {
    values = config.getOptionalStringArray(key);
  } catch {
    throw new Error(
      `Invalid configuration: ${key} must be a list of user or group entity refs`,
    );
  }
  return (values ?? []).map(value => {
    let ref;
    try {
      ref = parseEntityRef(value);
    } catch {
      ref = undefined;
    }
    const kind = ref?.kind.toLocaleLowerCase('en-US');
    if (!ref || (kind !== 'user' && kind !== 'group') || !value.includes(':')) {
      throw new Error(
        `Invalid configuration: ${key} holds "${value}", which is not a user or group entity ref (user:namespace/name or group:namespace/name)`,
      );
    }
    return stringifyEntityRef(ref).toLocaleLowerCase('en-US');
  });
}

/**
 * Who is a telemetry admin, and which teams a user may read, from the catalog's Groups: a group
 * named as admin means its members and the members of its descendant groups; a user reads the
 * teams they are a member of and every team below them (where a lead sits in a parent group).
 * Read with the plugin's own service credentials, cached per user for a minute.
 */
export class TelemetryAccess {
  private readonly admins: Set<string>;
  private readonly cache = new Map<
    string,
    { at: number; value: Promise<Membership> }
  >();

  constructor(
    private readonly options: {
      catalog: CatalogService;
      auth: AuthService;
      admins: string[];
      now?: () => number;
    },
  ) {
    this.admins = new Set(options.admins);
  }

  /** Whether the user, or one of the groups they belong to (directly or below), is an admin. */
  async isAdmin(
    userEntityRef: string,
    ownershipEntityRefs: string[] = [],
  ): Promise<boolean> {
    const user = userEntityRef.toLocaleLowerCase('en-US');
    if (this.admins.has(user)) return true;
    if (
      ownershipEntityRefs.some(ref =>
        this.admins.has(ref.toLocaleLowerCase('en-US')),
      )
    ) {
      return true;
    }
    if (![...this.admins].some(ref => ref.startsWith('group:'))) return false;
    const { withAncestors } = await this.membershipOf(user);
    return withAncestors.some(group => this.admins.has(group));
  }

  /** The Groups whose team view the user may read as a member or a lead. */
  async readableTeams(userEntityRef: string): Promise<string[]> {
    return (await this.membershipOf(userEntityRef.toLocaleLowerCase('en-US')))
      .withDescendants;
  }

  private membershipOf(user: string): Promise<Membership> {
    const now = (this.options.now ?? Date.now)();
    const cached = this.cache.get(user);
    if (cached && now - cached.at < MEMBERSHIP_TTL_MS) return cached.value;
    if (this.cache.size >= MEMBERSHIP_CACHE_SIZE) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    const value = this.readMembership(user);
    this.cache.set(user, { at: now, value });
    value.catch(() => this.cache.delete(user));
    return value;
  }

  private async readMembership(user: string): Promise<Membership> {
    const credentials = await this.options.auth.getOwnServiceCredentials();
    const entity = await this.options.catalog.getEntityByRef(user, {
      credentials,
    });
    const groups = entity ? relationTargets(entity, RELATION_MEMBER_OF) : [];
    const walk = async (relation: string): Promise<string[]> => {
      const seen = new Set(groups);
      let level = [...groups];
      while (level.length > 0) {
        const { items } = await this.options.catalog.getEntitiesByRefs(
          { entityRefs: level, fields: FIELDS },
          { credentials },
        );
        level = [];
        for (const group of items) {
          if (!group) continue;
          for (const next of relationTargets(group, relation)) {
            if (!seen.has(next)) {
              seen.add(next);
              level.push(next);
            }
          }
        }
      }
      return [...seen].sort();
    };
    const [withAncestors, withDescendants] = await Promise.all([
      walk(RELATION_CHILD_OF),
      walk(RELATION_PARENT_OF),
    ]);
    return { groups: [...groups].sort(), withAncestors, withDescendants };
  }
}
