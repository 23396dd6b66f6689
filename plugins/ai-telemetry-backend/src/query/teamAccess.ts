import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { aiTelemetryTeamReadPermission } from '@fawkes/plugin-ai-telemetry-common';
import { AuthorizeResult } from '@backstage/plugin-permission-common';

/** Whether the caller may open the team tab of each of these Groups (entity refs), in order. */
export type TeamReadCheck = (groupRefs: string[]) => Promise<boolean[]>;

/**
 * The caller's `ai-telemetry.team.read` on Groups, as the team route checks it (the permission
 * policy: a user's own groups and those below them, every group for an admin), asked once for
 * all of them. None for a service: Backstage lets services pass every permission check, so the
 * team route refuses them, and they may read no team here either.
 */
export function teamReadCheck(
  permissions: PermissionsService,
  credentials: BackstageCredentials,
): TeamReadCheck | undefined {
  // Every Backstage principal (user, service, none) says which it is in `type`.
  const { type } = credentials.principal as { type?: unknown };
  if (type !== 'user') return undefined;
  return async groupRefs => {
    if (groupRefs.length === 0) return [];
    const decisions = await permissions.authorize(
      groupRefs.map(resourceRef => ({
        permission: aiTelemetryTeamReadPermission,
        resourceRef,
      })),
      { credentials },
    );
    return decisions.map(d => d.result === AuthorizeResult.ALLOW);
  };
}
