import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';

/** Asks before a new token replaces the current one. */
export const RotateDialog = (props: {
  open: boolean;
  busy?: boolean;
  onCancel: () => void;
  onConfirm: () => void;
}) => (
  <Dialog
    open={props.open}
    onClose={props.onCancel}
    aria-labelledby="ai-telemetry-rotate-title"
  >
    <DialogTitle id="ai-telemetry-rotate-title">
      Replace your telemetry token?
    </DialogTitle>
    <DialogContent>
      <DialogContentText>
        The current token stops working at once: every IDE that uses it needs
        the new one. Events your IDEs have queued are sent with the new token
        once you set it.
      </DialogContentText>
    </DialogContent>
    <DialogActions>
      <Button onClick={props.onCancel} disabled={props.busy}>
        Cancel
      </Button>
      <Button
        onClick={props.onConfirm}
        disabled={props.busy}
        color="primary"
        variant="contained"
      >
        Issue a new token
      </Button>
    </DialogActions>
  </Dialog>
);
