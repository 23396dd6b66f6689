export { ErasureStatus, ERASURE_STEP_LABELS } from './ErasureStatus';
export type { ErasureOwner } from './ErasureStatus';
