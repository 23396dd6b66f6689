import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';

/** Asks before erasing everything stored about the developer. */
export const EraseDialog = (props: {
  open: boolean;
  busy?: boolean;
  onCancel: () => void;
  onConfirm: () => void;
}) => (
  <Dialog
    open={props.open}
    onClose={props.onCancel}
    aria-labelledby="ai-telemetry-erase-title"
  >
    <DialogTitle id="ai-telemetry-erase-title">
      Erase all my AI telemetry?
    </DialogTitle>
    <DialogContent>
      <DialogContentText>
        This stops collection for you and deletes everything stored under your
        pseudonym: your running totals in the portal, any legacy Pushgateway
        groups, and every series in Prometheus over its whole retention. The
        deletion is verified and logged. It cannot be undone; you can opt in
        again afterwards and start from zero.
      </DialogContentText>
    </DialogContent>
    <DialogActions>
      <Button onClick={props.onCancel} disabled={props.busy}>
        Cancel
      </Button>
      <Button
        onClick={props.onConfirm}
        disabled={props.busy}
        color="secondary"
        variant="contained"
      >
        Erase everything
      </Button>
    </DialogActions>
  </Dialog>
);
