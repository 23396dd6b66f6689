export { MyDataTab } from './MyDataTab';
