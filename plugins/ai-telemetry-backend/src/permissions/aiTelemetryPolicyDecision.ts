import { parseEntityRef } from '@backstage/catalog-model';
import {
  AuthorizeResult,
  isPermission,
  PermissionCondition,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  aiTelemetryPermissions,
  aiTelemetryTeamReadPermission,
  CATALOG_ENTITY_RESOURCE_TYPE,
} from '@fawkes/plugin-ai-telemetry-common';
import { TelemetryAccess } from './TelemetryAccess';

const PERMISSION_NAMES = new Set(aiTelemetryPermissions.map(p => p.name));

function groupCondition(groupRef: string): PermissionCondition[] {
  const { namespace, name } = parseEntityRef(groupRef);
  const condition = (rule: string, params: Record<string, string>) => ({
    resourceType: CATALOG_ENTITY_RESOURCE_TYPE,
    rule,
    params,
  });
  return [
    { ...condition('IS_ENTITY_KIND', {}), params: { kinds: ['group'] } },
    condition('HAS_METADATA', { key: 'name', value: name }),
    condition('HAS_METADATA', { key: 'namespace', value: namespace }),
  ];
}

/**
 * The AI Telemetry part of a permission policy, for portals to compose into their own:
 * answers the plugin's permissions and returns `undefined` for every other one.
 *
 * - `ai-telemetry.query.raw` and `ai-telemetry.data.erase`: telemetry admins only
 *   (`aiTelemetry.permissions.admins`, users or groups; a group means its members and the
 *   members of its descendant groups).
 * - `ai-telemetry.team.read` (a catalog-entity resource permission): admins; otherwise a
 *   conditional decision the catalog evaluates on the Group: one of the user's own groups or a
 *   group below one of them (a lead's team).
 * - Service principals hold none of them.
 *
 * @public
 */
export async function aiTelemetryPolicyDecision(
  request: PolicyQuery,
  user: PolicyQueryUser | undefined,
  access: TelemetryAccess,
): Promise<PolicyDecision | undefined> {
  const { permission } = request;
  if (!PERMISSION_NAMES.has(permission.name)) return undefined;
  // The permission backend passes a user only for user principals: services get none.
  if (!user) return { result: AuthorizeResult.DENY };
  const { userEntityRef, ownershipEntityRefs } = user.info;
  if (await access.isAdmin(userEntityRef, ownershipEntityRefs)) {
    return { result: AuthorizeResult.ALLOW };
  }
  if (!isPermission(permission, aiTelemetryTeamReadPermission)) {
    return { result: AuthorizeResult.DENY };
  }
  const [first, ...rest] = await access.readableTeams(userEntityRef);
  if (!first) return { result: AuthorizeResult.DENY };
  return {
    result: AuthorizeResult.CONDITIONAL,
    pluginId: 'catalog',
    resourceType: CATALOG_ENTITY_RESOURCE_TYPE,
    conditions: {
      anyOf: [
        { allOf: groupCondition(first) as [PermissionCondition] },
        ...rest.map(group => ({
          allOf: groupCondition(group) as [PermissionCondition],
        })),
      ],
    },
  };
}
