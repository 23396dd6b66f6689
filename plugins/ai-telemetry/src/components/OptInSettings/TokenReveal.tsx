import { TelemetryTokenResponse } from '@fawkes/plugin-ai-telemetry-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { CopyButton } from '../CopyButton';

/** A new telemetry token, shown this once, with a copy button. */
export const TokenReveal = (props: {
  issued: TelemetryTokenResponse;
  onDone: () => void;
}) => {
  const { token } = props.issued;
  return (
    <Alert severity="warning" data-testid="telemetry-token">
      <AlertTitle>Your telemetry token: copy it now</AlertTitle>
      It is shown only this once: the portal keeps only its hash. If you lose
      it, rotate it to get a new one. Every earlier token has stopped working.
      <Box display="flex" alignItems="center" mt={1} style={{ gap: 8 }}>
        <TextField
          value={token}
          variant="outlined"
          size="small"
          fullWidth
          inputProps={{
            readOnly: true,
            'aria-label': 'Telemetry token',
            style: { fontFamily: 'monospace' },
          }}
          onFocus={e => e.target.select()}
        />
        <CopyButton text={token} label="Copy token" />
      </Box>
      <Box mt={1}>
        <Button size="small" onClick={props.onDone}>
          I have copied it: hide the token
        </Button>
      </Box>
    </Alert>
  );
};
