import { ConfirmDialog, ConfirmDialogState } from '../ConfirmDialog';

/** Turning telemetry off: keep what was collected, or erase it too. */
export const OptOutDialog = ({
  onOptOut,
  ...dialog
}: ConfirmDialogState & { onOptOut: (erase: boolean) => void }) => (
  <ConfirmDialog
    id="opt-out"
    title="Turn off AI telemetry?"
    {...dialog}
    choices={[
      {
        label: 'Turn off, keep my data',
        onChoose: () => onOptOut(false),
      },
      {
        label: 'Turn off and erase my data',
        onChoose: () => onOptOut(true),
        emphasis: 'secondary',
      },
    ]}
  >
    Your telemetry token stops working at once and nothing more is collected
    about you. What was collected so far is kept for at most 90 days, unless you
    erase it now: erasure deletes it everywhere, verifies the deletion and
    cannot be undone.
  </ConfirmDialog>
);
