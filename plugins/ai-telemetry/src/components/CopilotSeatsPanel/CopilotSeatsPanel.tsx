import { InfoCard, Progress } from '@backstage/core-components';
import {
  CopilotSeatsResponse,
  GithubImportScope,
} from '@fawkes/plugin-ai-telemetry-common';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import LinearProgress from '@material-ui/core/LinearProgress';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { LiveAsyncState } from '../../hooks/useLiveAsync';
import { failureOf } from '../../hooks/usePanelStates';
import {
  formatCount,
  formatPercent,
  formatTimestamp,
  formatUsd,
} from '../../lib/format';
import { scopeText } from '../../lib/github';
import { FailureAlert } from '../FailureAlert';
import { GithubImportOff } from '../GithubImportStatus';
import { Tile } from '../Tile';

type Seats = Extract<CopilotSeatsResponse, { seats: unknown }>;
type Withheld = Exclude<CopilotSeatsResponse, Seats>;

function share(part: number, total: number): number | null {
  return total > 0 ? part / total : null;
}

function subheader(scope: GithubImportScope | undefined, fetchedAt?: string) {
  const parts = [
    scope
      ? `Seats of the ${scopeText(scope)}, counts only`
      : 'The seats GitHub bills for Copilot, counts only',
  ];
  if (fetchedAt)
    parts.push(`as read from GitHub ${formatTimestamp(fetchedAt)}`);
  return parts.join(', ');
}

const WithheldNotice = (props: { answer: Withheld }) => {
  const { answer } = props;
  switch (answer.withheld) {
    case 'not_configured':
      return <GithubImportOff message={answer.message} />;
    case 'threshold':
      return (
        <Alert severity="info" data-testid="seats-withheld">
          <AlertTitle>Too few seats to show</AlertTitle>
          {answer.message} Seat figures appear from{' '}
          {formatCount(answer.minGroupSize ?? 0)} seats on (the privacy
          threshold, aiTelemetry.privacy.minGroupSize).
        </Alert>
      );
    default:
      return (
        <Alert severity="info" data-testid="seats-withheld">
          <AlertTitle>No seat figures yet</AlertTitle>
          {answer.message}
        </Alert>
      );
  }
};

const SeatTiles = (props: { answer: Seats }) => {
  const { seats, idleCostPerMonth, totalCostPerMonth, seatCostPerMonth } =
    props.answer;
  const active = (n: number) =>
    `${formatPercent(share(n, seats.total))} of seats`;
  const idleShare = share(seats.idle, seats.total);
  return (
    <Grid container spacing={2}>
      <Grid item xs={12} sm={6} md={3}>
        <Tile
          label="Seats"
          value={formatCount(seats.total)}
          note={`${formatUsd(totalCostPerMonth)} a month at ${formatUsd(
            seatCostPerMonth,
          )} a seat`}
        />
      </Grid>
      <Grid item xs={12} sm={6} md={3}>
        <Tile
          label="Active in the last 7 days"
          value={formatCount(seats.activeLast7Days)}
          note={active(seats.activeLast7Days)}
        />
      </Grid>
      <Grid item xs={12} sm={6} md={3}>
        <Tile
          label="Active in the last 14 days"
          value={formatCount(seats.activeLast14Days)}
          note={active(seats.activeLast14Days)}
        />
      </Grid>
      <Grid item xs={12} sm={6} md={3}>
        <Tile
          label="Active in the last 28 days"
          value={formatCount(seats.activeLast28Days)}
          note={active(seats.activeLast28Days)}
        />
      </Grid>
      <Grid item xs={12} sm={6} md={3}>
        <Tile
          label="Idle seats"
          value={formatCount(seats.idle)}
          note="not used in the last 28 days, never-used seats included"
        />
      </Grid>
      <Grid item xs={12} sm={6} md={3}>
        <Tile
          label="Idle seats cost a month"
          value={formatUsd(idleCostPerMonth)}
          note={`of ${formatUsd(
            totalCostPerMonth,
          )} a month for all seats (${formatPercent(idleShare)})`}
        >
          <LinearProgress
            variant="determinate"
            value={(idleShare ?? 0) * 100}
            aria-label={`Idle seats: ${formatPercent(idleShare)} of the cost`}
            style={{ height: 6, borderRadius: 3, margin: '6px 0' }}
          />
        </Tile>
      </Grid>
      <Grid item xs={12} sm={6} md={3}>
        <Tile
          label="Never used"
          value={formatCount(seats.neverUsed)}
          note="no Copilot activity since the seat was assigned"
        />
      </Grid>
      <Grid item xs={12} sm={6} md={3}>
        <Tile
          label="Pending cancellation"
          value={formatCount(seats.pendingCancellation)}
          note={
            seats.pendingInvitation !== undefined
              ? `end with the billing cycle; ${formatCount(
                  seats.pendingInvitation,
                )} invitations not accepted yet`
              : 'end with the billing cycle'
          }
        />
      </Grid>
    </Grid>
  );
};

/**
 * "Copilot seats" on the organisation page: the seats GitHub bills, how many were used in the
 * last 7, 14 and 28 days, never used, pending cancellation, and what the idle ones cost a month
 * against all of them. Counts only, as the import last read them; withheld with the reason when
 * the import is off, has not read them yet, or there are too few seats to show.
 */
export const CopilotSeatsPanel = (props: {
  state: LiveAsyncState<CopilotSeatsResponse>;
}) => {
  const { loading, error, value, retry } = props.state;
  let body;
  if (!value && loading) {
    body = <Progress />;
  } else if (!value) {
    body = (
      <FailureAlert
        title="Could not load the Copilot seats"
        failure={failureOf(error ?? new Error('No answer'))}
        retry={retry}
      />
    );
  } else if (value.withheld !== undefined) {
    body = <WithheldNotice answer={value} />;
  } else {
    body = (
      <>
        {value.stale && (
          <Box mb={2}>
            <Alert severity="warning" data-testid="seats-stale">
              These counts are from {formatTimestamp(value.fetchedAt)}: the last
              read from GitHub failed, so they may be out of date.
            </Alert>
          </Box>
        )}
        <SeatTiles answer={value} />
      </>
    );
  }
  return (
    <InfoCard
      title="Copilot seats"
      subheader={subheader(value?.scope, value?.fetchedAt)}
    >
      <div data-testid="copilot-seats">{body}</div>
    </InfoCard>
  );
};
