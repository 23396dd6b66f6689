export { ConfirmDialog } from './ConfirmDialog';
export type { ConfirmChoice, ConfirmDialogState } from './ConfirmDialog';
