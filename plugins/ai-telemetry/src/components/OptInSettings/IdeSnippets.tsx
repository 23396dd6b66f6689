import { TELEMETRY_ENV } from '@fawkes/plugin-ai-telemetry-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { CopyButton } from '../CopyButton';

const useStyles = makeStyles(theme => ({
  code: {
    fontFamily: 'monospace',
    fontSize: 13,
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-all',
    padding: theme.spacing(1.5),
    margin: theme.spacing(1, 0),
    background: theme.palette.action.hover,
    color: theme.palette.text.primary,
    borderRadius: theme.shape.borderRadius,
  },
}));

/** The endpoint line of the server's snippet. */
export function endpointOf(snippet: string): string | undefined {
  const line = snippet
    .split('\n')
    .find(l => l.startsWith(`${TELEMETRY_ENV.endpoint}=`));
  return line?.slice(TELEMETRY_ENV.endpoint.length + 1);
}

/** The lines without a token, for when the token is not on screen. */
export function snippetWithoutToken(endpoint: string): string {
  return [
    `${TELEMETRY_ENV.enabled}=enabled`,
    `${TELEMETRY_ENV.endpoint}=${endpoint}`,
    `${TELEMETRY_ENV.token}=<the token shown when you opt in or rotate>`,
  ].join('\n');
}

const Snippet = (props: { title: string; text: string; help: string }) => {
  const classes = useStyles();
  return (
    <Box mb={2}>
      <Typography variant="subtitle2" component="h4">
        {props.title}
      </Typography>
      <Typography variant="body2" color="textSecondary">
        {props.help}
      </Typography>
      <pre className={classes.code}>{props.text}</pre>
      <CopyButton
        text={props.text}
        label={`Copy ${props.title.toLowerCase()}`}
      />
    </Box>
  );
};

/** How to point an IDE at the portal: environment variables, and VS Code's settings.json. */
export const IdeSnippets = (props: { snippet: string; endpoint: string }) => {
  const settings = JSON.stringify(
    {
      'fawkes.ai.telemetry.enabled': true,
      'fawkes.ai.telemetry.endpoint': props.endpoint,
    },
    null,
    2,
  );
  return (
    <div>
      <Snippet
        title="Environment variables"
        text={props.snippet
          .split('\n')
          .map(line => `export ${line}`)
          .join('\n')}
        help="For the fawkes-ai-telemetry command and any IDE started from this shell; put them in ~/.profile and restart the IDE."
      />
      <Snippet
        title="VS Code settings.json"
        text={settings}
        help={`The token is a secret: it stays in ${TELEMETRY_ENV.token} (or the editor's secret storage), not in settings.json.`}
      />
      <Snippet
        title="Check that it works"
        text="yarn fawkes-ai-telemetry push suggestion --language python --accepted --lines 12"
        help="Sends one accepted suggestion; it shows under My data within a minute."
      />
    </div>
  );
};
