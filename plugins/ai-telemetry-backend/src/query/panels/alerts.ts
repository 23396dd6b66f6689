import {
  AlertRuleStatus,
  AlertsData,
} from '@fawkes/plugin-ai-telemetry-common';
import { PrometheusAlertRule } from '../../upstream/PrometheusClient';
import { definePanel, PanelContext } from './panel';

/** The label value and group-name prefix that mark the plugin's alert rules. */
const COMPONENT = 'ai-telemetry';

function isOurs(rule: PrometheusAlertRule): boolean {
  return (
    rule.group.startsWith(COMPONENT) || rule.labels.component === COMPONENT
  );
}

function stateOf(rule: PrometheusAlertRule): AlertRuleStatus['state'] {
  if (rule.alerts.some(a => a.state === 'firing')) return 'firing';
  if (rule.alerts.some(a => a.state === 'pending')) return 'pending';
  return 'inactive';
}

function healthOf(rule: PrometheusAlertRule): AlertRuleStatus['health'] {
  return rule.health === 'ok' || rule.health === 'err'
    ? rule.health
    : 'unknown';
}

/** The plugin's alert rules and whether they fire, from Prometheus's rules API. */
async function loadAlerts(
  _queries: {},
  ctx: PanelContext,
): Promise<AlertsData> {
  const rules = (await ctx.alertRules()).filter(isOurs);
  return {
    rules: rules
      .map(rule => {
        const state = stateOf(rule);
        const active = rule.alerts.filter(a => a.state === state);
        const activeSince = Math.min(
          ...active.map(a => a.activeAt ?? Infinity),
        );
        const description =
          active.find(a => a.annotations.description)?.annotations
            .description ?? rule.annotations.description;
        const status: AlertRuleStatus = {
          name: rule.name,
          group: rule.group,
          state,
          health: healthOf(rule),
          query: rule.query,
          forSeconds: rule.forSeconds,
        };
        if (rule.labels.severity) status.severity = rule.labels.severity;
        if (rule.annotations.summary) status.summary = rule.annotations.summary;
        if (description) status.description = description;
        if (Number.isFinite(activeSince)) status.activeSince = activeSince;
        return status;
      })
      .sort(
        (a, b) =>
          a.group.localeCompare(b.group) || a.name.localeCompare(b.name),
      ),
  };
}

/** Alerts: the ai-telemetry alert rules and whether they fire (tells nothing about people). */
export const alertsPanel = definePanel({
  id: 'alerts',
  families: [],
  step: window => window.step,
  queries: () => ({}),
  load: loadAlerts,
  extraQueries: [{ query: 'GET /api/v1/rules', source: 'rules-api' }],
});
