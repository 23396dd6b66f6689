export { LinesGeneratedPanel } from './LinesGeneratedPanel';
