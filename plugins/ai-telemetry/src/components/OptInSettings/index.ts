export { OptInSettings } from './OptInSettings';
