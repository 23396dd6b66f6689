export { ErasureStatus, ERASURE_STEP_LABELS } from './ErasureStatus';
