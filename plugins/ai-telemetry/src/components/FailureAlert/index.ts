export { FailureAlert } from './FailureAlert';
