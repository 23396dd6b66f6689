import { Link } from '@backstage/core-components';
import { TELEMETRY_ENV } from '@fawkes/plugin-ai-telemetry-common';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles(theme => ({
  root: {
    padding: theme.spacing(2),
    border: `1px dashed ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
    color: theme.palette.text.primary,
  },
  code: {
    fontFamily: 'monospace',
    fontSize: '0.85em',
    padding: '0 2px',
    background: theme.palette.action.hover,
  },
}));

/**
 * What a panel without data says: there is no telemetry in this window yet, and how to start
 * sending it.
 */
export const EmptyTelemetry = (props: { what?: string }) => {
  const classes = useStyles();
  return (
    <div className={classes.root} data-testid="empty-telemetry">
      <Typography variant="subtitle2" component="p" gutterBottom>
        No {props.what ?? 'AI telemetry'} in this time range yet.
      </Typography>
      <Typography variant="body2" component="p">
        To start sending telemetry: opt in under{' '}
        <Link to="/settings/ai-telemetry">Settings → AI Telemetry</Link>, then
        set{' '}
        <code className={classes.code}>{TELEMETRY_ENV.enabled}=enabled</code>,{' '}
        <code className={classes.code}>{TELEMETRY_ENV.endpoint}</code> and{' '}
        <code className={classes.code}>{TELEMETRY_ENV.token}</code> (shown when
        you opt in) in your IDE's environment. Counts appear here within a
        minute of the first events. A narrower filter or a longer time range may
        also help.
      </Typography>
    </div>
  );
};
