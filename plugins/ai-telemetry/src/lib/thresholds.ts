/**
 * The acceptance rate under which the seed's alert `LowCopilotAcceptanceRate` fires
 * (deploy/prometheus/rules: `… < 0.3` for 2 h); the gauge and the chart draw it as a line.
 */
export const ACCEPTANCE_ALERT_THRESHOLD = 0.3;
