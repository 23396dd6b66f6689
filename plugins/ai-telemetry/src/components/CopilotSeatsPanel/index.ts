export { CopilotSeatsPanel } from './CopilotSeatsPanel';
