import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { organisationTooFew, tooFewParticipants } from '../../testing/fixtures';
import { TooFewParticipantsNotice } from './TooFewParticipantsNotice';

describe('TooFewParticipantsNotice', () => {
  it('says that too few developers have data under the filters', async () => {
    await renderInTestApp(
      <TooFewParticipantsNotice answer={organisationTooFew} />,
    );
    const note = screen.getByTestId('too-few-participants');
    expect(note).toHaveTextContent('Too few participants');
    expect(note).toHaveTextContent(
      'Fewer than 5 developers have AI telemetry in this time range under these filters',
    );
    expect(note).toHaveTextContent('fewer filters, may reach the threshold');
  });

  it('names the team when too few of its members have data', async () => {
    await renderInTestApp(
      <TooFewParticipantsNotice answer={tooFewParticipants} />,
    );
    expect(screen.getByTestId('too-few-participants')).toHaveTextContent(
      'Fewer than 5 members of Security have AI telemetry',
    );
  });

  it('explains that the organisation view would single people out by subtracting a filter', async () => {
    await renderInTestApp(
      <TooFewParticipantsNotice
        answer={{ ...organisationTooFew, reason: 'differencing' }}
      />,
    );
    const note = screen.getByTestId('too-few-participants');
    expect(note).toHaveTextContent('Figures withheld to protect a few people');
    expect(note).toHaveTextContent(
      'These figures would differ by fewer than 5 developers from another view you can open (these filters with one left out)',
    );
    expect(note).toHaveTextContent('would single those people out');
    expect(note).not.toHaveTextContent('sub-team');
  });

  it('explains that a team view would single people out by subtracting a sub-team', async () => {
    await renderInTestApp(
      <TooFewParticipantsNotice
        answer={{
          ...tooFewParticipants,
          reason: 'differencing',
          team: { entityRef: 'group:default/marketplace' },
        }}
      />,
    );
    const note = screen.getByTestId('too-few-participants');
    expect(note).toHaveTextContent(
      'The figures of group:default/marketplace would differ by fewer than 5 developers',
    );
    expect(note).toHaveTextContent('one of its sub-teams, the organisation');
    expect(note).not.toHaveTextContent('Too few participants');
  });
});
