import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { aiTelemetryPolicyDecision } from './aiTelemetryPolicyDecision';
import { readTelemetryAdmins, TelemetryAccess } from './TelemetryAccess';

/**
 * A whole permission policy for a portal whose only rules are AI Telemetry's: the plugin's
 * permissions as {@link aiTelemetryPolicyDecision} decides them, and every other Backstage
 * permission allowed, as the app template's allow-all policy does. Portals with a policy of
 * their own call `aiTelemetryPolicyDecision` from it instead.
 *
 * @public
 */
export class AiTelemetryPermissionPolicy implements PermissionPolicy {
  constructor(private readonly access: TelemetryAccess) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    return (
      (await aiTelemetryPolicyDecision(request, user, this.access)) ?? {
        result: AuthorizeResult.ALLOW,
      }
    );
  }
}

/**
 * Installs {@link AiTelemetryPermissionPolicy} in the permission backend, with the admins of
 * `aiTelemetry.permissions.admins`: `backend.add(aiTelemetryPermissionPolicyModule)`.
 *
 * @public
 */
export const aiTelemetryPermissionPolicyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'ai-telemetry-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        config: coreServices.rootConfig,
        catalog: catalogServiceRef,
        auth: coreServices.auth,
      },
      async init({ policy, config, catalog, auth }) {
        policy.setPolicy(
          new AiTelemetryPermissionPolicy(
            new TelemetryAccess({
              catalog,
              auth,
              admins: readTelemetryAdmins(config),
            }),
          ),
        );
      },
    });
  },
});
