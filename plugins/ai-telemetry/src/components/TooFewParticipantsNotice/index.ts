export { TooFewParticipantsNotice } from './TooFewParticipantsNotice';
