export { DataTable } from './DataTable';
export type { Tabular } from './DataTable';
