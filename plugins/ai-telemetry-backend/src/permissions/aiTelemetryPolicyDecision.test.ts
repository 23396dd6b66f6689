import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import { PolicyQueryUser } from '@backstage/plugin-permission-node';
import {
  aiTelemetryDataErasePermission,
  aiTelemetryRawQueryPermission,
  aiTelemetryTeamReadPermission,
} from '@fawkes/plugin-ai-telemetry-common';
import { ConfigReader } from '@backstage/config';
import { aiTelemetryPolicyDecision } from './aiTelemetryPolicyDecision';
import { readTelemetryAdmins, TelemetryAccess } from './TelemetryAccess';
import {
  ACCESS_ORG,
  accessOrgEntities,
  ROLE_USERS,
} from './__testUtils__/accessOrg';

function userOf(userEntityRef: string): PolicyQueryUser {
  return {
    credentials: mockCredentials.user(userEntityRef),
    info: { userEntityRef, ownershipEntityRefs: [userEntityRef] },
  };
}

function access(admins = [ACCESS_ORG.adminGroup]) {
  const catalog = catalogServiceMock({ entities: accessOrgEntities() });
  return {
    catalog,
    access: new TelemetryAccess({
      catalog,
      auth: mockServices.auth(),
      admins,
    }),
  };
}

/** The groups a conditional decision lets the user read, by name. */
function readableIn(decision: unknown): string[] {
  const { conditions } = decision as {
    conditions: {
      anyOf: Array<{
        allOf: Array<{
          rule: string;
          params: { key?: string; value?: string };
        }>;
      }>;
    };
  };
  return conditions.anyOf
    .map(
      c =>
        c.allOf.find(p => p.rule === 'HAS_METADATA' && p.params.key === 'name')!
          .params.value!,
    )
    .sort();
}

describe('aiTelemetryPolicyDecision', () => {
  it('leaves every other permission to the portal', async () => {
    const other = createPermission({
      name: 'catalog.entity.delete',
      attributes: { action: 'delete' },
    });
    expect(
      await aiTelemetryPolicyDecision(
        { permission: other },
        userOf(ROLE_USERS.outsider),
        access().access,
      ),
    ).toBeUndefined();
  });

  it.each([
    [
      'admin (member of the admin group)',
      ROLE_USERS.admin,
      AuthorizeResult.ALLOW,
    ],
    [
      'admin (member of a team below the admin group)',
      'user:default/sre',
      AuthorizeResult.ALLOW,
    ],
    ['team member', ROLE_USERS.member, AuthorizeResult.DENY],
    ['lead', ROLE_USERS.lead, AuthorizeResult.DENY],
    ['outsider', ROLE_USERS.outsider, AuthorizeResult.DENY],
  ])(
    'gives raw queries, erasure and the audit log to admins only: %s',
    async (_role, user, result) => {
      const { access: a } = access();
      for (const permission of [
        aiTelemetryRawQueryPermission,
        aiTelemetryDataErasePermission,
      ]) {
        expect(
          await aiTelemetryPolicyDecision({ permission }, userOf(user), a),
        ).toEqual({ result });
      }
    },
  );

  it('refuses every AI Telemetry permission to service principals', async () => {
    const { access: a } = access();
    for (const permission of [
      aiTelemetryRawQueryPermission,
      aiTelemetryDataErasePermission,
      aiTelemetryTeamReadPermission,
    ]) {
      expect(
        await aiTelemetryPolicyDecision({ permission }, undefined, a),
      ).toEqual({ result: AuthorizeResult.DENY });
    }
  });

  it('lets admins read every team, and names admins by user ref too', async () => {
    expect(
      await aiTelemetryPolicyDecision(
        { permission: aiTelemetryTeamReadPermission },
        userOf(ROLE_USERS.admin),
        access().access,
      ),
    ).toEqual({ result: AuthorizeResult.ALLOW });
    expect(
      await aiTelemetryPolicyDecision(
        { permission: aiTelemetryRawQueryPermission },
        userOf(ROLE_USERS.outsider),
        access([ROLE_USERS.outsider]).access,
      ),
    ).toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('lets members read their team, and leads every team below them, through catalog conditions', async () => {
    const { access: a } = access();
    const decide = (user: string) =>
      aiTelemetryPolicyDecision(
        { permission: aiTelemetryTeamReadPermission },
        userOf(user),
        a,
      );
    const member = await decide(ROLE_USERS.member);
    const lead = await decide(ROLE_USERS.lead);
    const outsider = await decide(ROLE_USERS.outsider);

    expect(member).toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
    });
    expect(readableIn(member)).toEqual(['team-a']);
    expect(readableIn(lead)).toEqual(['engineering', 'team-a']);
    expect(readableIn(outsider)).toEqual(['marketing']);
    expect(
      (member as { conditions: { anyOf: Array<{ allOf: unknown[] }> } })
        .conditions.anyOf[0].allOf,
    ).toEqual([
      {
        resourceType: 'catalog-entity',
        rule: 'IS_ENTITY_KIND',
        params: { kinds: ['group'] },
      },
      {
        resourceType: 'catalog-entity',
        rule: 'HAS_METADATA',
        params: { key: 'name', value: 'team-a' },
      },
      {
        resourceType: 'catalog-entity',
        rule: 'HAS_METADATA',
        params: { key: 'namespace', value: 'default' },
      },
    ]);
  });

  it('denies team views to a user in no group', async () => {
    expect(
      await aiTelemetryPolicyDecision(
        { permission: aiTelemetryTeamReadPermission },
        userOf('user:default/unknown'),
        access().access,
      ),
    ).toEqual({ result: AuthorizeResult.DENY });
  });

  it('asks the catalog once a minute per user', async () => {
    const { access: a, catalog } = access();
    const spy = jest.spyOn(catalog, 'getEntityByRef');
    await a.readableTeams(ROLE_USERS.lead);
    await a.readableTeams(ROLE_USERS.lead);
    await a.isAdmin(ROLE_USERS.lead);
    expect(spy).toHaveBeenCalledTimes(1);
  });
});

describe('readTelemetryAdmins', () => {
  it('reads user and group refs, and nobody when unset', () => {
    expect(
      readTelemetryAdmins(
        new ConfigReader({
          aiTelemetry: {
            permissions: {
              admins: ['User:default/Jane', 'group:default/platform'],
            },
          },
        }),
      ),
    ).toEqual(['user:default/jane', 'group:default/platform']);
    expect(readTelemetryAdmins(new ConfigReader({}))).toEqual([]);
  });

  it('stops start-up naming the key for anything but a user or group ref', () => {
    for (const bad of ['jane', 'component:default/x', 'user:']) {
      expect(() =>
        readTelemetryAdmins(
          new ConfigReader({
            aiTelemetry: { permissions: { admins: [bad] } },
          }),
        ),
      ).toThrow(/aiTelemetry\.permissions\.admins holds/);
    }
  });
});
