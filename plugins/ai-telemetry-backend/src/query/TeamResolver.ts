import {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  KubernetesValidatorFunctions,
  RELATION_HAS_MEMBER,
  RELATION_MEMBER_OF,
  RELATION_PARENT_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  PSEUDONYM_PATTERN,
  TeamInfo,
} from '@fawkes/plugin-ai-telemetry-common';
import { OptInRegistry } from './OptInRegistry';

/** A team as the queries see it: the Group, and the pseudonyms of its opted-in members. */
export type ResolvedTeam = {
  info: TeamInfo;
  /** Pseudonyms of the opted-in members of the Group and of its child groups, recursively. */
  userHashes: string[];
};

const FIELDS = ['kind', 'metadata.namespace', 'metadata.name', 'relations'];
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

/**
 * Maps teams to pseudonyms with the catalog, at query time (no team label is stored in
 * Prometheus): a Group's members and its child groups' members, recursively, to the pseudonyms
 * of those who opted in; and the other way, active pseudonyms to the Groups they belong to.
 * The catalog is read with the requester's credentials.
 */
export class TeamResolver {
  constructor(
    private readonly catalog: CatalogService,
    private readonly optIns: OptInRegistry,
    private readonly logger: LoggerService,
  ) {}

  async resolve(
    group: { namespace: string; name: string },
    credentials: BackstageCredentials,
  ): Promise<ResolvedTeam> {
    if (!KubernetesValidatorFunctions.isValidNamespace(group.namespace)) {
      throw new InputError(
        `namespace "${group.namespace.slice(
          0,
          64,
        )}" is not a catalog namespace`,
      );
    }
    if (!KubernetesValidatorFunctions.isValidObjectName(group.name)) {
      throw new InputError(
        `name "${group.name.slice(0, 64)}" is not a catalog entity name`,
      );
    }
    const ref = stringifyEntityRef({ kind: 'group', ...group });
    const root = await this.catalog.getEntityByRef(ref, { credentials });
    if (!root || root.kind.toLocaleLowerCase('en-US') !== 'group') {
      throw new NotFoundError(`There is no Group ${ref} in the catalog`);
    }

    const members = new Set<string>();
    const seen = new Set<string>([ref]);
    let level: Entity[] = [root];
    while (level.length > 0) {
      const children: string[] = [];
      for (const entity of level) {
        targets(entity, RELATION_HAS_MEMBER, 'user').forEach(m =>
          members.add(m),
        );
        for (const child of targets(entity, RELATION_PARENT_OF, 'group')) {
          if (!seen.has(child)) {
            seen.add(child);
            children.push(child);
          }
        }
      }
      level = [];
      for (const batch of chunks(children, REFS_PER_REQUEST)) {
        const { items } = await this.catalog.getEntitiesByRefs(
          { entityRefs: batch, fields: FIELDS },
          { credentials },
        );
        level.push(...items.filter((e): e is Entity => Boolean(e)));
      }
    }

    const userHashes: string[] = [];
    for (const { userEntityRef, userHash } of await this.optIns.listOptedIn()) {
      if (!members.has(userEntityRef.toLocaleLowerCase('en-US'))) continue;
      if (PSEUDONYM_PATTERN.test(userHash)) {
        userHashes.push(userHash);
      } else {
        this.logger.warn(
          `Left ${userEntityRef} out of ${ref}: the opt-in registry holds a pseudonym that is not 64 hex characters`,
        );
      }
    }
    const title =
      (root.spec?.profile as { displayName?: string } | undefined)
        ?.displayName ?? root.metadata.title;
    return {
      info: { entityRef: ref, ...(title ? { title } : {}) },
      userHashes,
    };
  }

  /** How many Groups have a direct member among the users with these pseudonyms. */
  async countGroupsOf(
    userHashes: string[],
    credentials: BackstageCredentials,
  ): Promise<number> {
    const wanted = new Set(userHashes);
    const refs = (await this.optIns.listOptedIn())
      .filter(u => wanted.has(u.userHash))
      .map(u => u.userEntityRef);
    const groups = new Set<string>();
    for (const batch of chunks(refs, REFS_PER_REQUEST)) {
      const { items } = await this.catalog.getEntitiesByRefs(
        { entityRefs: batch, fields: FIELDS },
        { credentials },
      );
      for (const user of items) {
        if (user)
          targets(user, RELATION_MEMBER_OF, 'group').forEach(g =>
            groups.add(g),
          );
      }
    }
    return groups.size;
  }
}
