import { Entity } from '@backstage/catalog-model';

/**
 * The organisation of the permission tests: `platform` holds the telemetry admins (and a child
 * team, `platform-sre`); `engineering` is a department whose lead sits in it directly, above the
 * team `team-a`; `marketing` is elsewhere.
 */
export const ACCESS_ORG = {
  groups: {
    platform: { parent: undefined, members: ['admin'] },
    'platform-sre': { parent: 'platform', members: ['sre'] },
    engineering: { parent: undefined, members: ['lead'] },
    'team-a': { parent: 'engineering', members: ['member'] },
    marketing: { parent: undefined, members: ['outsider'] },
  } as Record<string, { parent?: string; members: string[] }>,
  adminGroup: 'group:default/platform',
};

/** The roles of the permission matrix, as user entity refs. */
export const ROLE_USERS = {
  admin: 'user:default/admin',
  member: 'user:default/member',
  lead: 'user:default/lead',
  outsider: 'user:default/outsider',
} as const;

/** The organisation as catalog YAML documents, for a real catalog to read. */
export function accessOrgYaml(): string {
  const docs: string[] = [];
  for (const [name, group] of Object.entries(ACCESS_ORG.groups)) {
    const children = Object.entries(ACCESS_ORG.groups)
      .filter(([, g]) => g.parent === name)
      .map(([child]) => child);
    docs.push(
      [
        'apiVersion: backstage.io/v1alpha1',
        'kind: Group',
        `metadata: { name: ${name} }`,
        'spec:',
        '  type: team',
        ...(group.parent ? [`  parent: ${group.parent}`] : []),
        `  children: [${children.join(', ')}]`,
      ].join('\n'),
    );
    for (const member of group.members) {
      docs.push(
        [
          'apiVersion: backstage.io/v1alpha1',
          'kind: User',
          `metadata: { name: ${member} }`,
          `spec: { memberOf: [${name}] }`,
        ].join('\n'),
      );
    }
  }
  return `${docs.join('\n---\n')}\n`;
}

/** The organisation as the catalog serves it, relations included, for a mocked catalog. */
export function accessOrgEntities(): Entity[] {
  const entities: Entity[] = [];
  const ref = (kind: string, name: string) => `${kind}:default/${name}`;
  for (const [name, group] of Object.entries(ACCESS_ORG.groups)) {
    const children = Object.entries(ACCESS_ORG.groups)
      .filter(([, g]) => g.parent === name)
      .map(([child]) => child);
    entities.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name, namespace: 'default' },
      spec: { type: 'team', children },
      relations: [
        ...(group.parent
          ? [{ type: 'childOf', targetRef: ref('group', group.parent) }]
          : []),
        ...children.map(c => ({
          type: 'parentOf',
          targetRef: ref('group', c),
        })),
        ...group.members.map(m => ({
          type: 'hasMember',
          targetRef: ref('user', m),
        })),
      ],
    });
    for (const member of group.members) {
      entities.push({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'User',
        metadata: { name: member, namespace: 'default' },
        spec: { memberOf: [name] },
        relations: [{ type: 'memberOf', targetRef: ref('group', name) }],
      });
    }
  }
  return entities;
}
