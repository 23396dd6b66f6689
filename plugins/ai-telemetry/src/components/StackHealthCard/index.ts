export { StackHealthCard } from './StackHealthCard';
