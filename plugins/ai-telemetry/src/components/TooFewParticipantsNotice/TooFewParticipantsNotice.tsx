import {
  OrganisationTooFewParticipants,
  TooFewParticipants,
} from '@fawkes/plugin-ai-telemetry-common';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';

type Answer = OrganisationTooFewParticipants | TooFewParticipants;

function explanation(answer: Answer): { title: string; text: string } {
  const n = answer.minGroupSize;
  const team =
    'team' in answer ? answer.team.title ?? answer.team.entityRef : undefined;
  if (answer.reason === 'differencing') {
    const figures = team ? `The figures of ${team}` : 'These figures';
    const other = team
      ? 'one of its sub-teams, the organisation, or these filters with one left out'
      : 'these filters with one left out';
    const advice = team
      ? "The sub-teams' own pages may show theirs; other filters or a longer time range may show these."
      : 'Other filters or a longer time range may show them.';
    return {
      title: 'Figures withheld to protect a few people',
      text:
        `${figures} would differ by fewer than ${n} developers from another view you can ` +
        `open (${other}): subtracting one from the other would single those people out, so ` +
        `no figures are shown. ${advice}`,
    };
  }
  const who = team ? `members of ${team}` : 'developers';
  return {
    title: 'Too few participants',
    text:
      `Fewer than ${n} ${who} have AI telemetry in this time range under these filters, so ` +
      'no figures are shown: with so few people, the numbers would tell about individuals. ' +
      `A longer time range, or fewer filters, may reach the threshold of ${n}.`,
  };
}

/**
 * Why a dashboard shows no figures under the privacy threshold
 * (docs/privacy-model.md#the-privacy-threshold), for the organisation or a team: too few
 * developers with data under the filters, or figures that would differ from another view by too
 * few people to be subtracted safely. The filters stay on the
 * page above it, so that the reader can widen them.
 */
export const TooFewParticipantsNotice = (props: { answer: Answer }) => {
  const { title, text } = explanation(props.answer);
  return (
    <Alert severity="info" data-testid="too-few-participants">
      <AlertTitle>{title}</AlertTitle>
      {text}
    </Alert>
  );
};
