export { AlertsBanner } from './AlertsBanner';
