import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';

/**
 * Asks the permission policy; anything but ALLOW becomes a 403 that names the permission (and
 * the resource, for a resource permission). Conditional decisions on a resource are evaluated
 * by the plugin that owns the resource type (the catalog, for a Group).
 */
export async function requirePermission(
  permissions: PermissionsService,
  credentials: BackstageCredentials,
  ...request:
    | [permission: BasicPermission]
    | [permission: ResourcePermission, resourceRef: string]
): Promise<void> {
  const [permission, resourceRef] = request;
  const [decision] = await permissions.authorize(
    [
      resourceRef === undefined
        ? { permission: permission as BasicPermission }
        : { permission: permission as ResourcePermission, resourceRef },
    ],
    { credentials },
  );
  if (decision.result !== AuthorizeResult.ALLOW) {
    throw new NotAllowedError(
      resourceRef === undefined
        ? `This needs the permission ${permission.name}`
        : `This needs the permission ${permission.name} on ${resourceRef}`,
    );
  }
}
