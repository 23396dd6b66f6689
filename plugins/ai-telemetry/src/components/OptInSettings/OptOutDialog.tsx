import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';

/** Turning telemetry off: keep what was collected, or erase it too. */
export const OptOutDialog = (props: {
  open: boolean;
  busy?: boolean;
  onCancel: () => void;
  onOptOut: (erase: boolean) => void;
}) => (
  <Dialog
    open={props.open}
    onClose={props.onCancel}
    aria-labelledby="ai-telemetry-opt-out-title"
  >
    <DialogTitle id="ai-telemetry-opt-out-title">
      Turn off AI telemetry?
    </DialogTitle>
    <DialogContent>
      <DialogContentText>
        Your telemetry token stops working at once and nothing more is collected
        about you. What was collected so far is kept for at most 90 days, unless
        you erase it now: erasure deletes it everywhere, verifies the deletion
        and cannot be undone.
      </DialogContentText>
    </DialogContent>
    <DialogActions>
      <Button onClick={props.onCancel} disabled={props.busy}>
        Cancel
      </Button>
      <Button onClick={() => props.onOptOut(false)} disabled={props.busy}>
        Turn off, keep my data
      </Button>
      <Button
        onClick={() => props.onOptOut(true)}
        disabled={props.busy}
        color="secondary"
        variant="contained"
      >
        Turn off and erase my data
      </Button>
    </DialogActions>
  </Dialog>
);
