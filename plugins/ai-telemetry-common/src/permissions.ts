import { createPermission } from '@backstage/plugin-permission-common';

/** Read a Group's AI Telemetry tab (team leads, and whoever the policy allows). */
export const aiTelemetryTeamReadPermission = createPermission({
  name: 'ai-telemetry.team.read',
  attributes: { action: 'read' },
});

/** Run raw PromQL (limited to the contract's metrics) in the admin console. */
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
