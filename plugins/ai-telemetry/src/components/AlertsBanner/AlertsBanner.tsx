import {
  AlertRuleStatus,
  AlertsPanel,
  toCsv,
} from '@fawkes/plugin-ai-telemetry-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Collapse from '@material-ui/core/Collapse';
import LinearProgress from '@material-ui/core/LinearProgress';
import { makeStyles } from '@material-ui/core/styles';
import Alert, { Color } from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { useState } from 'react';
import { PanelState } from '../../hooks/usePanelStates';
import { saveFile } from '../../lib/download';
import { formatTimestamp } from '../../lib/format';

const useStyles = makeStyles(theme => ({
  root: { display: 'flex', flexDirection: 'column', gap: theme.spacing(1) },
  query: {
    fontFamily: 'monospace',
    fontSize: 12,
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-all',
    margin: theme.spacing(0.5, 0),
    padding: theme.spacing(1),
    background: theme.palette.action.hover,
    color: theme.palette.text.primary,
    borderRadius: theme.shape.borderRadius,
  },
}));

function severityOf(rule: AlertRuleStatus): Color {
  if (rule.state === 'pending') return 'info';
  return rule.severity === 'critical' ? 'error' : 'warning';
}

function csvOf(rules: AlertRuleStatus[]): string {
  return toCsv(
    [
      'name',
      'group',
      'state',
      'health',
      'severity',
      'summary',
      'description',
      'active since',
      'for (s)',
      'query',
    ],
    rules.map(r => [
      r.name,
      r.group,
      r.state,
      r.health,
      r.severity,
      r.summary,
      r.description,
      r.activeSince ? new Date(r.activeSince).toISOString() : '',
      r.forSeconds,
      r.query,
    ]),
  );
}

/**
 * The plugin's Prometheus alerts: a banner per firing (or pending) alert, or one quiet line
 * saying that none fires, with the rules' PromQL and a CSV of their states.
 */
export const AlertsBanner = (props: { state: PanelState<AlertsPanel> }) => {
  const classes = useStyles();
  const { state } = props;
  const [showQuery, setShowQuery] = useState(false);

  if (state.loading) {
    return (
      <Box data-testid="panel-alerts" aria-busy="true">
        <LinearProgress aria-label="Loading alerts" />
      </Box>
    );
  }
  if (state.error || !state.panel) {
    return (
      <Alert
        data-testid="panel-alerts"
        severity="warning"
        action={
          <Button color="inherit" size="small" onClick={state.retry}>
            Retry
          </Button>
        }
      >
        <AlertTitle>Could not read the alert rules</AlertTitle>
        {state.error?.message}
        {state.error?.statusCode ? ` (HTTP ${state.error.statusCode})` : ''}
      </Alert>
    );
  }

  const { rules } = state.panel.data;
  const active = rules.filter(r => r.state !== 'inactive');
  const actions = (
    <div style={{ whiteSpace: 'nowrap' }}>
      <Button
        color="inherit"
        size="small"
        onClick={() => setShowQuery(!showQuery)}
        aria-expanded={showQuery}
      >
        {showQuery ? 'Hide query' : 'Show query'}
      </Button>
      <Button
        color="inherit"
        size="small"
        aria-label="Download alerts as CSV"
        onClick={() => saveFile(csvOf(rules), 'ai-telemetry-alerts.csv')}
        disabled={rules.length === 0}
      >
        CSV
      </Button>
    </div>
  );
  const queries = (
    <Collapse in={showQuery} unmountOnExit>
      {state.panel.queries.map((q, i) => (
        <pre key={`panel-${i}`} className={classes.query}>
          {q.query}
        </pre>
      ))}
      {rules.map(r => (
        <pre key={r.name} className={classes.query}>
          {`# ${r.name} (for ${r.forSeconds} s)\n${r.query}`}
        </pre>
      ))}
    </Collapse>
  );

  if (rules.length === 0) {
    return (
      <Alert data-testid="panel-alerts" severity="info" action={actions}>
        No AI Telemetry alert rules are loaded in Prometheus: add the rule files
        of deploy/prometheus/rules to its configuration.
        {queries}
      </Alert>
    );
  }
  if (active.length === 0) {
    return (
      <Alert data-testid="panel-alerts" severity="success" action={actions}>
        No AI Telemetry alert is firing ({rules.length} rules checked).
        {queries}
      </Alert>
    );
  }
  return (
    <div
      className={classes.root}
      data-testid="panel-alerts"
      role="region"
      aria-label="Alerts"
    >
      {active.map((rule, i) => (
        <Alert
          key={rule.name}
          severity={severityOf(rule)}
          action={i === 0 ? actions : undefined}
        >
          <AlertTitle>
            {rule.state === 'firing' ? 'Firing' : 'Pending'}:{' '}
            {rule.summary ?? rule.name}
          </AlertTitle>
          {rule.description}
          {rule.activeSince
            ? ` Since ${formatTimestamp(
                new Date(rule.activeSince).toISOString(),
              )}.`
            : ''}
          {i === 0 && queries}
        </Alert>
      ))}
    </div>
  );
};
