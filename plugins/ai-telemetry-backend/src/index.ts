export { aiTelemetryPlugin as default } from './plugin';
export { aiTelemetryPolicyDecision } from './permissions/aiTelemetryPolicyDecision';
export {
  AiTelemetryPermissionPolicy,
  aiTelemetryPermissionPolicyModule,
} from './permissions/permissionPolicyModule';
export {
  readTelemetryAdmins,
  TelemetryAccess,
  type Membership,
} from './permissions/TelemetryAccess';
export { aiTelemetryDemoModule } from './demo/demoModule';
