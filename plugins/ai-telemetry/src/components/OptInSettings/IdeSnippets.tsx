import { Link } from '@backstage/core-components';
import { TELEMETRY_ENV } from '@fawkes/plugin-ai-telemetry-common';
import Box from '@material-ui/core/Box';
import Divider from '@material-ui/core/Divider';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { useState } from 'react';
import { CopyButton } from '../CopyButton';
import {
  AssistantSetup,
  assistantSetups,
  SetupSnippet,
  TOKEN_PLACEHOLDER,
} from './assistantSetups';

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
    `${TELEMETRY_ENV.token}=${TOKEN_PLACEHOLDER}`,
  ].join('\n');
}

const Snippet = (props: SetupSnippet) => {
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

const AssistantPanel = (props: { setup: AssistantSetup }) => {
  const { setup } = props;
  return (
    <div
      role="tabpanel"
      id={`ai-telemetry-setup-${setup.id}`}
      aria-labelledby={`ai-telemetry-setup-tab-${setup.id}`}
    >
      <Box pt={2}>
        {setup.snippets.map(snippet => (
          <Snippet key={snippet.title} {...snippet} />
        ))}
        {setup.notes.map(note => (
          <Typography
            key={note}
            variant="body2"
            color="textSecondary"
            paragraph
          >
            {note}
          </Typography>
        ))}
        <Typography variant="body2">
          From <Link to={setup.docs}>{setup.name}’s documentation</Link>.
        </Typography>
      </Box>
    </div>
  );
};

/**
 * How to point each AI assistant's own OpenTelemetry metrics at the portal, one tab per
 * assistant, and the `fawkes-ai-telemetry` command's environment variables. `token` is given
 * only while the token is on screen; the snippets hold a placeholder otherwise.
 */
export const IdeSnippets = (props: {
  snippet: string;
  endpoint: string;
  token?: string;
}) => {
  const setups = assistantSetups(props.endpoint, props.token);
  const [selected, setSelected] = useState(setups[0].id);
  const setup = setups.find(s => s.id === selected) ?? setups[0];
  return (
    <div>
      <Typography variant="body2" paragraph>
        Each assistant exports its own OpenTelemetry metrics to the portal with
        your telemetry token; only metrics are counted.
        {!props.token &&
          ` The token is shown only when you opt in or rotate it: put it where the snippets say ${TOKEN_PLACEHOLDER}.`}
      </Typography>
      <Tabs
        value={setup.id}
        onChange={(_, id) => setSelected(id)}
        indicatorColor="primary"
        textColor="primary"
        variant="scrollable"
        scrollButtons="auto"
        aria-label="AI assistant"
      >
        {setups.map(s => (
          <Tab
            key={s.id}
            value={s.id}
            label={s.name}
            id={`ai-telemetry-setup-tab-${s.id}`}
            aria-controls={`ai-telemetry-setup-${s.id}`}
          />
        ))}
      </Tabs>
      <AssistantPanel setup={setup} />
      <Box my={2}>
        <Divider />
      </Box>
      <Snippet
        title="fawkes-ai-telemetry environment variables"
        text={props.snippet
          .split('\n')
          .map(line => `export ${line}`)
          .join('\n')}
        help="For the fawkes-ai-telemetry command; put them in ~/.profile to keep them."
      />
      <Snippet
        title="Check that it works"
        text="yarn fawkes-ai-telemetry push suggestion --language python --accepted --lines 12"
        help="Sends one accepted suggestion; it shows under My data within a minute."
      />
    </div>
  );
};
