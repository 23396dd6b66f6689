import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import { ReactNode } from 'react';

/** One of the buttons after Cancel; an emphasised one is filled in that colour. */
export type ConfirmChoice = {
  label: string;
  onChoose: () => void;
  emphasis?: 'primary' | 'secondary';
};

/** What the page that shows a confirmation dialog controls. */
export type ConfirmDialogState = {
  open: boolean;
  busy?: boolean;
  onCancel: () => void;
};

/** Asks before an action: a title, an explanation, Cancel and the choices, all off while busy. */
export const ConfirmDialog = (
  props: ConfirmDialogState & {
    /** Names the dialog's title element (`ai-telemetry-<id>-title`). */
    id: string;
    title: string;
    choices: ConfirmChoice[];
    children: ReactNode;
  },
) => {
  const titleId = `ai-telemetry-${props.id}-title`;
  return (
    <Dialog
      open={props.open}
      onClose={props.onCancel}
      aria-labelledby={titleId}
    >
      <DialogTitle id={titleId}>{props.title}</DialogTitle>
      <DialogContent>
        <DialogContentText>{props.children}</DialogContentText>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onCancel} disabled={props.busy}>
          Cancel
        </Button>
        {props.choices.map(choice => (
          <Button
            key={choice.label}
            onClick={choice.onChoose}
            disabled={props.busy}
            color={choice.emphasis}
            variant={choice.emphasis ? 'contained' : undefined}
          >
            {choice.label}
          </Button>
        ))}
      </DialogActions>
    </Dialog>
  );
};
