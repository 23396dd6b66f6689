export { EraseDialog } from './EraseDialog';
