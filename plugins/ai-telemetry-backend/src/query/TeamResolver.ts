import {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  RELATION_HAS_MEMBER,
  RELATION_PARENT_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  PSEUDONYM_PATTERN,
  TeamInfo,
} from '@fawkes/plugin-ai-telemetry-common';
import { OptInStore } from '../database/OptInStore';
import { validateGroupRef } from './groupRef';

/** A group below a team's Group, as the privacy threshold sees it. */
export type TeamSubgroup = {
  /** Its entity ref, lower case. */
  entityRef: string;
  /** Pseudonyms of its opted-in members and of its own child groups', recursively. */
  userHashes: string[];
  /** The entity refs of the groups below it (each also among the team's subgroups). */
  subgroups: string[];
};

/** A team as the queries see it: the Group, and the pseudonyms of its opted-in members. */
export type ResolvedTeam = {
  info: TeamInfo;
  /** Pseudonyms of the opted-in members of the Group and of its child groups, recursively. */
  userHashes: string[];
  /**
   * Every group below the Group (its child groups, theirs, ...), with its own members: the
   * views that could be subtracted from the team's.
   */
  subgroups: TeamSubgroup[];
};

/** Each group of a team's tree, by its lower-case ref: its direct members and its child groups. */
type GroupTree = Map<string, { members: string[]; children: string[] }>;

/** The groups below `key` in the tree, each once (even where the catalog has a cycle). */
function groupsBelow(tree: GroupTree, key: string): string[] {
  const seen = new Set<string>([key]);
  const queue = [key];
  for (let current = queue.shift(); current; current = queue.shift()) {
    for (const child of tree.get(current)?.children ?? []) {
      if (tree.has(child) && !seen.has(child)) {
        seen.add(child);
        queue.push(child);
      }
    }
  }
  seen.delete(key);
  return [...seen];
}

const FIELDS = ['kind', 'metadata.namespace', 'metadata.name', 'relations'];
const TITLE_FIELDS = ['metadata.title', 'spec.profile.displayName'];
const REFS_PER_REQUEST = 500;

function targets(entity: Entity, type: string, kind: string): string[] {
  return (entity.relations ?? [])
    .filter(r => r.type === type && r.targetRef.startsWith(`${kind}:`))
    .map(r => r.targetRef.toLocaleLowerCase('en-US'));
}

function chunks<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, (i + 1) * size),
  );
}

/** An entity's ref, lower case: the key of a {@link GroupTree}. */
function keyOf(entity: Entity): string {
  return stringifyEntityRef(entity).toLocaleLowerCase('en-US');
}

/**
 * The groups below each group of the tree and the pseudonyms of their members, each worked out
 * once however many teams ask.
 */
class TreeIndex {
  private readonly below = new Map<string, string[]>();
  private readonly pseudonyms = new Map<string, string[]>();

  constructor(
    private readonly tree: GroupTree,
    private readonly hashOf: Map<string, string>,
  ) {}

  groupsBelow(key: string): string[] {
    let groups = this.below.get(key);
    if (!groups) {
      groups = groupsBelow(this.tree, key);
      this.below.set(key, groups);
    }
    return groups;
  }

  /** Pseudonyms of the opted-in members of the group and of every group below it. */
  pseudonymsOf(key: string): string[] {
    let hashes = this.pseudonyms.get(key);
    if (!hashes) {
      hashes = [
        ...new Set(
          [key, ...this.groupsBelow(key)].flatMap(g =>
            this.tree
              .get(g)!
              .members.flatMap(user => this.hashOf.get(user) ?? []),
          ),
        ),
      ];
      this.pseudonyms.set(key, hashes);
    }
    return hashes;
  }
}

/** The team of the Group `key` of the tree, with every group below it. */
function teamOf(
  index: TreeIndex,
  key: string,
  ref: string,
  entity: Entity,
): ResolvedTeam {
  const subgroups = index.groupsBelow(key).map(group => ({
    entityRef: group,
    userHashes: index.pseudonymsOf(group),
    subgroups: index.groupsBelow(group),
  }));
  const title =
    (entity.spec?.profile as { displayName?: string } | undefined)
      ?.displayName ?? entity.metadata.title;
  return {
    info: { entityRef: ref, ...(title ? { title } : {}) },
    userHashes: index.pseudonymsOf(key),
    subgroups,
  };
}

/**
 * Maps teams to pseudonyms with the catalog, at query time (no team label is stored in
 * Prometheus): a Group's members and its child groups' members, recursively, to the pseudonyms
 * of those who opted in, with each group below it and its own pseudonyms (for the privacy
 * threshold); and the other way, active pseudonyms to the Groups they belong to. The catalog is
 * read with the requester's credentials.
 */
export class TeamResolver {
  private readonly groupReads = new WeakMap<
    BackstageCredentials,
    Promise<Entity[]>
  >();

  constructor(
    private readonly catalog: CatalogService,
    private readonly optIns: Pick<OptInStore, 'listOptedIn'>,
    private readonly logger: LoggerService,
  ) {}

  async resolve(
    group: { namespace: string; name: string },
    credentials: BackstageCredentials,
  ): Promise<ResolvedTeam> {
    validateGroupRef(group);
    const ref = stringifyEntityRef({ kind: 'group', ...group });
    const root = await this.catalog.getEntityByRef(ref, { credentials });
    if (!root || root.kind.toLocaleLowerCase('en-US') !== 'group') {
      throw new NotFoundError(`There is no Group ${ref} in the catalog`);
    }

    const rootKey = ref.toLocaleLowerCase('en-US');
    const tree = await this.readTree(rootKey, root, credentials);
    const hashOf = await this.pseudonymsOfMembers(tree, ref);
    return teamOf(new TreeIndex(tree, hashOf), rootKey, ref, root);
  }

  /**
   * Every Group of the catalog as a team, as {@link resolve} makes one, from one read of the
   * catalog (with the requester's credentials): for the organisation's team comparison.
   */
  async resolveAll(credentials: BackstageCredentials): Promise<ResolvedTeam[]> {
    const items = await this.allGroups(credentials);
    const tree: GroupTree = new Map();
    for (const entity of items) {
      tree.set(keyOf(entity), {
        members: targets(entity, RELATION_HAS_MEMBER, 'user'),
        children: targets(entity, RELATION_PARENT_OF, 'group'),
      });
    }
    const index = new TreeIndex(
      tree,
      await this.pseudonymsOfMembers(tree, 'the catalog'),
    );
    return items.map(entity =>
      teamOf(
        index,
        keyOf(entity),
        stringifyEntityRef({
          kind: 'group',
          namespace: entity.metadata.namespace ?? 'default',
          name: entity.metadata.name,
        }),
        entity,
      ),
    );
  }

  /** The Group and every group below it, read from the catalog level by level. */
  private async readTree(
    rootKey: string,
    root: Entity,
    credentials: BackstageCredentials,
  ): Promise<GroupTree> {
    const tree: GroupTree = new Map();
    let level: Array<[string, Entity]> = [[rootKey, root]];
    while (level.length > 0) {
      const next: string[] = [];
      for (const [key, entity] of level) {
        const children = targets(entity, RELATION_PARENT_OF, 'group');
        tree.set(key, {
          members: targets(entity, RELATION_HAS_MEMBER, 'user'),
          children,
        });
        for (const child of children) {
          if (!tree.has(child) && !next.includes(child)) next.push(child);
        }
      }
      const found: Array<[string, Entity]> = [];
      for (const batch of chunks(next, REFS_PER_REQUEST)) {
        const { items } = await this.catalog.getEntitiesByRefs(
          { entityRefs: batch, fields: FIELDS },
          { credentials },
        );
        for (const [i, entity] of items.entries()) {
          if (entity) found.push([batch[i], entity]);
        }
      }
      level = found;
    }
    return tree;
  }

  /** The pseudonyms of the opted-in members of the tree, by their lower-case user ref. */
  private async pseudonymsOfMembers(
    tree: GroupTree,
    ref: string,
  ): Promise<Map<string, string>> {
    const members = new Set([...tree.values()].flatMap(g => g.members));
    const hashOf = new Map<string, string>();
    for (const { userEntityRef, userHash } of await this.optIns.listOptedIn()) {
      const user = userEntityRef.toLocaleLowerCase('en-US');
      if (!members.has(user)) continue;
      if (PSEUDONYM_PATTERN.test(userHash)) {
        hashOf.set(user, userHash);
      } else {
        this.logger.warn(
          `Left ${userEntityRef} out of ${ref}: the opt-in registry holds a pseudonym that is not 64 hex characters`,
        );
      }
    }
    return hashOf;
  }

  /**
   * How many Groups have a direct member among the users with these pseudonyms: from the
   * Groups' own member relations (one read of the Groups, shared with {@link resolveAll} in the
   * same request), not from reading every active user's entity.
   */
  async countGroupsOf(
    userHashes: string[],
    credentials: BackstageCredentials,
  ): Promise<number> {
    const wanted = new Set(userHashes);
    const users = new Set(
      (await this.optIns.listOptedIn())
        .filter(u => wanted.has(u.userHash))
        .map(u => u.userEntityRef.toLocaleLowerCase('en-US')),
    );
    let count = 0;
    for (const group of await this.allGroups(credentials)) {
      if (targets(group, RELATION_HAS_MEMBER, 'user').some(u => users.has(u))) {
        count++;
      }
    }
    return count;
  }

  /** Every Group the caller may read, read once per request (its credentials). */
  private allGroups(credentials: BackstageCredentials): Promise<Entity[]> {
    let read = this.groupReads.get(credentials);
    if (!read) {
      read = this.catalog
        .getEntities(
          { filter: { kind: 'group' }, fields: [...FIELDS, ...TITLE_FIELDS] },
          { credentials },
        )
        .then(({ items }) => items);
      this.groupReads.set(credentials, read);
      read.catch(() => this.groupReads.delete(credentials));
    }
    return read;
  }
}
