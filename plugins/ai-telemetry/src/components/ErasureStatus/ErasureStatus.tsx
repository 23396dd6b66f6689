import {
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import {
  ERASURE_STEPS,
  ErasureJob,
  ErasureStep,
  ErasureStepName,
} from '@fawkes/plugin-ai-telemetry-common';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { ReactNode } from 'react';
import { formatTimestamp } from '../../lib/format';

/** Whose data a job erases, as its steps name them: the reader's own, or another user's. */
export type ErasureOwner = 'your' | 'their';

/** What each step does, as docs/privacy-model.md#erasure describes it. */
export const ERASURE_STEP_LABELS: Record<
  ErasureStepName,
  (whose: ErasureOwner) => string
> = {
  stop_ingestion: whose => `Stop accepting ${whose} telemetry`,
  delete_counters: whose =>
    `Delete ${whose} running totals in the portal database`,
  delete_pushgateway_groups: whose =>
    `Delete ${whose} legacy Pushgateway groups`,
  wait_for_scrapes: () => 'Wait until no scrape of the old values is in flight',
  delete_prometheus_series: whose => `Delete ${whose} series in Prometheus`,
  verify: whose => `Verify that nothing with ${whose} pseudonym remains`,
  drop_cached_results: () => 'Drop cached dashboard results',
};

function stateOf(state: ErasureStep['state'] | ErasureJob['state']): ReactNode {
  switch (state) {
    case 'done':
      return <StatusOK>done</StatusOK>;
    case 'running':
      return <StatusRunning>running</StatusRunning>;
    case 'retrying':
      return <StatusWarning>retrying</StatusWarning>;
    case 'failed':
      return <StatusError>failed</StatusError>;
    default:
      return <StatusPending>pending</StatusPending>;
  }
}

const useStyles = makeStyles(theme => ({
  row: {
    display: 'flex',
    justifyContent: 'space-between',
    alignItems: 'center',
    gap: theme.spacing(2),
  },
  heading: { display: 'flex', alignItems: 'center', gap: theme.spacing(1) },
  detail: { wordBreak: 'break-all' },
}));

/**
 * An erasure job's state, step by step, as it runs. An administrator sees another user's job
 * (`whose="their"`), named in its heading, with the reason it was started for.
 */
export const ErasureStatus = (props: {
  job: ErasureJob;
  whose?: ErasureOwner;
}) => {
  const classes = useStyles();
  const { job, whose = 'your' } = props;
  const steps = new Map(job.steps.map(s => [s.name, s]));
  return (
    <div data-testid="erasure-job" aria-live="polite">
      <Typography
        variant="subtitle1"
        component="h3"
        className={classes.heading}
      >
        <span>
          Erasure{whose === 'their' ? ` of ${job.userEntityRef}` : ''}
        </span>{' '}
        {stateOf(job.state)}
      </Typography>
      <Typography variant="caption" color="textSecondary" component="p">
        Requested {formatTimestamp(job.createdAt)} by {job.requestedBy}
        {job.finishedAt ? `; finished ${formatTimestamp(job.finishedAt)}` : ''}
        {job.nextAttemptAt
          ? `; next attempt ${formatTimestamp(job.nextAttemptAt)}`
          : ''}
        {job.reason ? `; reason: ${job.reason}` : ''}
      </Typography>
      {job.lastError && job.state !== 'done' && (
        <Typography variant="body2" color="error" component="p">
          Last attempt failed: {job.lastError}
          {job.failedAttempts
            ? ` (${job.failedAttempts} failed attempts so far)`
            : ''}
          . It is retried until it succeeds.
        </Typography>
      )}
      <List dense>
        {ERASURE_STEPS.map((name, i) => {
          const step = steps.get(name);
          const details = [
            step?.detail,
            step?.lastError && `last error: ${step.lastError}`,
            step && step.attempts > 1 && `${step.attempts} attempts`,
          ].filter(Boolean);
          return (
            <ListItem key={name} divider data-testid={`erasure-step-${name}`}>
              <ListItemText
                primary={
                  <span className={classes.row}>
                    <span>
                      {i + 1}. {ERASURE_STEP_LABELS[name](whose)}
                    </span>
                    {stateOf(step?.state ?? 'pending')}
                  </span>
                }
                secondary={details.length ? details.join(' · ') : undefined}
                secondaryTypographyProps={{ className: classes.detail }}
              />
            </ListItem>
          );
        })}
      </List>
    </div>
  );
};
