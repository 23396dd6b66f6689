import {
  aiTelemetryDataErasePermission,
  aiTelemetryRawQueryPermission,
} from '@fawkes/plugin-ai-telemetry-common';
import { usePermission } from '@backstage/plugin-permission-react';

/** What the signed-in user may do as a telemetry administrator (docs/privacy-model.md#permissions). */
export type AdminAccess = {
  /** Still asking the permission framework. */
  loading: boolean;
  /** `ai-telemetry.query.raw`: the PromQL console. */
  rawQuery: boolean;
  /** `ai-telemetry.data.erase`: erasure on a user's behalf and the audit log. */
  erase: boolean;
};

/**
 * The signed-in user's telemetry admin permissions. The backend checks them again on every
 * admin route; this only decides what the page shows.
 */
export function useAdminAccess(): AdminAccess {
  const rawQuery = usePermission({ permission: aiTelemetryRawQueryPermission });
  const erase = usePermission({ permission: aiTelemetryDataErasePermission });
  return {
    loading: rawQuery.loading || erase.loading,
    rawQuery: rawQuery.allowed,
    erase: erase.allowed,
  };
}
