import { createPermission } from '@backstage/plugin-permission-common';

/**
 * The resource type of catalog entities (the catalog's `RESOURCE_TYPE_CATALOG_ENTITY`), spelled
 * out so that this package needs nothing from the catalog.
 */
export const CATALOG_ENTITY_RESOURCE_TYPE = 'catalog-entity';

/**
 * Read a Group's AI Telemetry tab. A resource permission on the Group's catalog entity, so that
 * a permission policy can answer it with catalog conditions; the portal's policy allows the
 * group's own members, members of its ancestor groups (where leads sit) and telemetry admins.
 */
export const aiTelemetryTeamReadPermission = createPermission({
  name: 'ai-telemetry.team.read',
  attributes: { action: 'read' },
  resourceType: CATALOG_ENTITY_RESOURCE_TYPE,
});

/** Run raw PromQL (limited to the contract's metrics, pooled answers only) in the admin console. */
export const aiTelemetryRawQueryPermission = createPermission({
  name: 'ai-telemetry.query.raw',
  attributes: { action: 'read' },
});

/** Erase another user's data on their behalf, and read the audit log. */
export const aiTelemetryDataErasePermission = createPermission({
  name: 'ai-telemetry.data.erase',
  attributes: { action: 'delete' },
});

/** Every permission of the plugin, for registration with the permission framework. */
export const aiTelemetryPermissions = [
  aiTelemetryTeamReadPermission,
  aiTelemetryRawQueryPermission,
  aiTelemetryDataErasePermission,
];
