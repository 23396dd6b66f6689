export { AdminTab } from './AdminTab';
