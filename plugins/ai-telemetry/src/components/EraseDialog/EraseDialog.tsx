import { ConfirmDialog, ConfirmDialogState } from '../ConfirmDialog';

/** Asks before erasing everything stored about the developer. */
export const EraseDialog = ({
  onConfirm,
  ...dialog
}: ConfirmDialogState & { onConfirm: () => void }) => (
  <ConfirmDialog
    id="erase"
    title="Erase all my AI telemetry?"
    {...dialog}
    choices={[
      {
        label: 'Erase everything',
        onChoose: onConfirm,
        emphasis: 'secondary',
      },
    ]}
  >
    This stops collection for you and deletes everything stored under your
    pseudonym: your running totals in the portal, any legacy Pushgateway groups,
    and every series in Prometheus over its whole retention. The deletion is
    verified and logged. It cannot be undone; you can opt in again afterwards
    and start from zero.
  </ConfirmDialog>
);
