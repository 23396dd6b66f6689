import { readFileSync } from 'fs';
import { resolve } from 'path';
import {
  DefaultNamespaceEntityPolicy,
  Entity,
  EntityPolicies,
  FieldFormatEntityPolicy,
  groupEntityV1alpha1Validator,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
  userEntityV1alpha1Validator,
} from '@backstage/catalog-model';
import { parseAllDocuments } from 'yaml';
import {
  buildOrg,
  catalogHeader,
  DemoOrg,
  GUEST_USER_NAME,
  orgToCatalogYaml,
  PRODUCT_AREA,
} from './org';
import { withGithubLogins } from './githubLogins';

const defaultOrg = () => buildOrg({ users: 48, seed: 42 });

/** The direct members of each team (departments and the product area left out). */
function teamSizes(org: DemoOrg): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const g of org.groups) if (g.type === 'team') sizes.set(g.name, 0);
  for (const u of org.users) {
    if (sizes.has(u.team)) sizes.set(u.team, sizes.get(u.team)! + 1);
  }
  return sizes;
}

describe('buildOrg', () => {
  it('is the same organisation for the same seed, and another one for another seed', () => {
    expect(orgToCatalogYaml(defaultOrg(), 'h')).toBe(
      orgToCatalogYaml(defaultOrg(), 'h'),
    );
    const other = buildOrg({ users: 48, seed: 7 });
    expect(other.users.map(u => u.name)).not.toEqual(
      defaultOrg().users.map(u => u.name),
    );
  });

  it('has at least 40 users in at least 6 teams, two of them below the privacy threshold of 5', () => {
    const org = defaultOrg();
    expect(org.users).toHaveLength(48);
    const sizes = teamSizes(org);
    expect(sizes.size).toBeGreaterThanOrEqual(6);
    const small = [...sizes.values()].filter(n => n < 5);
    expect(small.sort()).toEqual([3, 4]);
    expect(new Set(org.users.map(u => u.name)).size).toBe(org.users.length);
    for (const u of org.users) {
      expect(u.name).toMatch(/^[a-z0-9][a-z0-9.]*$/);
      expect(u.ref).toBe(`user:default/${u.name}`);
    }
  });

  it('nests teams under departments, with parent and children agreeing', () => {
    const org = defaultOrg();
    const byName = new Map(org.groups.map(g => [g.name, g]));
    const departments = org.groups.filter(g => g.type === 'department');
    expect(departments.length).toBeGreaterThanOrEqual(1);
    for (const d of departments) {
      expect(d.children.length).toBeGreaterThanOrEqual(2);
      for (const child of d.children) {
        expect(byName.get(child)?.parent).toBe(d.name);
      }
    }
    for (const g of org.groups.filter(t => t.parent)) {
      expect(byName.get(g.parent!)?.children).toContain(g.name);
    }
    // Some teams stand alone.
    expect(org.groups.some(g => g.type === 'team' && !g.parent)).toBe(true);
  });

  it('has a product area whose only direct members are two leads, over one team of at least 5', () => {
    for (const org of [defaultOrg(), buildOrg({ users: 30, seed: 42 })]) {
      const area = org.groups.find(g => g.name === PRODUCT_AREA.name)!;
      expect(area).toMatchObject({
        type: 'product-area',
        parent: 'product-engineering',
        children: [PRODUCT_AREA.team],
      });
      expect(org.users.filter(u => u.team === area.name)).toHaveLength(2);
      expect(org.groups.find(g => g.name === PRODUCT_AREA.team)?.parent).toBe(
        area.name,
      );
      expect(teamSizes(org).get(PRODUCT_AREA.team)).toBeGreaterThanOrEqual(5);
      expect(
        org.groups.find(g => g.name === 'product-engineering')?.children,
      ).toContain(area.name);
    }
  });

  it('makes the guest a member of one of the larger teams', () => {
    const org = defaultOrg();
    const guest = org.users.find(u => u.name === GUEST_USER_NAME)!;
    expect(guest).toMatchObject({
      displayName: 'Guest User',
      ref: 'user:default/guest',
    });
    expect(teamSizes(org).get(guest.team)).toBeGreaterThanOrEqual(5);
  });

  it('has a couple of teams whose use rises over the period', () => {
    const rising = defaultOrg().groups.filter(g => g.rising);
    expect(rising.length).toBeGreaterThanOrEqual(2);
    expect(rising.every(g => g.type === 'team')).toBe(true);
  });

  it('scales to large organisations with unique team and user names', () => {
    const org = buildOrg({ users: 2000, seed: 1 });
    const sizes = teamSizes(org);
    expect(sizes.size).toBe(333);
    expect([...sizes.values()].filter(n => n < 5)).toHaveLength(2);
    expect(new Set(org.users.map(u => u.name)).size).toBe(2000);
    expect(new Set(org.groups.map(g => g.name)).size).toBe(org.groups.length);
  });

  it('refuses sizes it cannot satisfy', () => {
    expect(() => buildOrg({ users: 10, seed: 1 })).toThrow(
      /cannot make 6 teams/,
    );
  });
});

describe('orgToCatalogYaml', () => {
  it('writes Backstage Group and User entities with a header comment', () => {
    const yaml = orgToCatalogYaml(
      defaultOrg(),
      'Generated.\nRegenerate with: x',
    );
    expect(yaml.startsWith('# Generated.\n# Regenerate with: x\n---\n')).toBe(
      true,
    );
    const docs = parseAllDocuments(yaml).map(d => d.toJS());
    const users = docs.filter(d => d.kind === 'User');
    const groups = docs.filter(d => d.kind === 'Group');
    expect(users).toHaveLength(48);
    expect(docs.every(d => d.apiVersion === 'backstage.io/v1alpha1')).toBe(
      true,
    );
    expect(
      groups.find(g => g.metadata.name === 'product-engineering'),
    ).toMatchObject({
      spec: {
        type: 'department',
        children: expect.arrayContaining(['checkout']),
      },
    });
    expect(groups.find(g => g.metadata.name === 'checkout')).toMatchObject({
      spec: { type: 'team', parent: 'product-engineering', children: [] },
    });
    expect(users.find(u => u.metadata.name === 'guest')).toMatchObject({
      spec: { profile: { displayName: 'Guest User' }, memberOf: ['checkout'] },
    });
  });
});

describe('the catalog files', () => {
  it('are valid User and Group entities for the Backstage catalog', async () => {
    const policy = EntityPolicies.allOf([
      new DefaultNamespaceEntityPolicy(),
      new FieldFormatEntityPolicy(),
      new NoForeignRootFieldsEntityPolicy(),
      new SchemaValidEntityPolicy(),
    ]);
    const org = buildOrg({ users: 300, seed: 5 });
    const docs = parseAllDocuments(orgToCatalogYaml(org, 'x')).map(
      d => d.toJS() as Entity,
    );
    for (const entity of docs) {
      await expect(policy.enforce(entity)).resolves.toBeDefined();
      const validator =
        entity.kind === 'User'
          ? userEntityV1alpha1Validator
          : groupEntityV1alpha1Validator;
      await expect(validator.check(entity)).resolves.toBe(true);
    }
  });

  it('examples/org.yaml is the generator output at the defaults', () => {
    const org = withGithubLogins(buildOrg({ users: 48, seed: 42 }), 42);
    const expected = orgToCatalogYaml(
      org,
      catalogHeader(org, { users: 48, seed: 42, orgOut: 'examples/org.yaml' }),
    );
    const committed = readFileSync(
      resolve(__dirname, '../../../examples/org.yaml'),
      'utf8',
    );
    expect(committed).toBe(expected);
  });

  it('gives the Copilot users GitHub logins, and annotates their catalog User with them', () => {
    const org = withGithubLogins(defaultOrg(), 42);
    const withLogin = org.users.filter(u => u.githubLogin);
    expect(withLogin.length).toBeGreaterThan(5);
    expect(withLogin.length).toBeLessThan(org.users.length);
    // The guest's Copilot comes from its own events (the CLI and the live trickle).
    expect(withLogin.map(u => u.name)).not.toContain('guest');
    for (const user of withLogin) {
      expect(user.githubLogin).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    }
    const yaml = orgToCatalogYaml(org, 'header');
    expect(yaml.match(/github\.com\/user-login: /g)).toHaveLength(
      withLogin.length,
    );
  });
});
