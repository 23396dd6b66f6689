import { ConfirmDialog, ConfirmDialogState } from '../ConfirmDialog';

/** Asks before a new token replaces the current one. */
export const RotateDialog = ({
  onConfirm,
  ...dialog
}: ConfirmDialogState & { onConfirm: () => void }) => (
  <ConfirmDialog
    id="rotate"
    title="Replace your telemetry token?"
    {...dialog}
    choices={[
      {
        label: 'Issue a new token',
        onChoose: onConfirm,
        emphasis: 'primary',
      },
    ]}
  >
    The current token stops working at once: every IDE that uses it needs the
    new one. Events your IDEs have queued are sent with the new token once you
    set it.
  </ConfirmDialog>
);
