export { UserOptInCard } from './UserOptInCard';
