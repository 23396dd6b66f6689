import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';

const useStyles = makeStyles(theme => ({
  code: {
    fontFamily: 'monospace',
    fontSize: 12,
    whiteSpace: 'pre-wrap',
    margin: theme.spacing(1, 0, 0),
    padding: theme.spacing(1),
    background: theme.palette.action.hover,
    color: theme.palette.text.primary,
    borderRadius: theme.shape.borderRadius,
  },
}));

/** The configuration that turns the import on, as the portal's administrators write it. */
export const GITHUB_IMPORT_CONFIG = `aiTelemetry:
  github:
    organization: <your organisation>  # or enterprise: <slug>
    backfillDays: 28
integrations:
  github:
    - host: github.com
      token: \${GITHUB_TOKEN}  # or a GitHub App (apps:)`;

/**
 * The GitHub Copilot import is off: what that means and how an administrator turns it on
 * (`aiTelemetry.github` with credentials from `integrations.github`).
 */
export const GithubImportOff = (props: {
  /** The backend's words, e.g. "Copilot seats come from the GitHub import, which is off in this portal." */
  message: string;
  /** Whether to show the configuration that turns it on (default true). */
  showConfig?: boolean;
}) => {
  const showConfig = props.showConfig ?? true;
  const classes = useStyles();
  return (
    <Alert severity="info" data-testid="github-import-off">
      <AlertTitle>The GitHub Copilot import is off</AlertTitle>
      <Typography variant="body2" component="p">
        {props.message} Copilot usage then comes only from IDE clients, and
        there are no seat figures. To turn it on, add{' '}
        <code>aiTelemetry.github</code> to app-config, with the credentials of
        an <code>integrations.github</code> entry for the host (a token with the{' '}
        <code>manage_billing:copilot</code> or <code>read:org</code> scope, or a
        GitHub App){showConfig ? ':' : '.'}
      </Typography>
      {showConfig && (
        <pre className={classes.code} aria-label="Configuration of the import">
          {GITHUB_IMPORT_CONFIG}
        </pre>
      )}
    </Alert>
  );
};
