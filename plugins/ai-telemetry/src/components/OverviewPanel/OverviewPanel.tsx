import {
  OverviewData,
  OverviewPanel as OverviewPanelResponse,
} from '@fawkes/plugin-ai-telemetry-common';
import Grid from '@material-ui/core/Grid';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { PanelState } from '../../hooks/usePanelStates';
import { formatCount, formatPercent } from '../../lib/format';
import { ACCEPTANCE_ALERT_THRESHOLD } from '../../lib/thresholds';
import { Tabular } from '../DataTable';
import { PanelCard } from '../PanelCard';
import { tileChange } from '../../lib/change';
import { Tile } from '../Tile';
import { AcceptanceGauge } from './AcceptanceGauge';

const useStyles = makeStyles(theme => ({
  language: { display: 'flex', justifyContent: 'space-between', gap: 8 },
  bar: { height: 6, borderRadius: 3, marginBottom: theme.spacing(0.75) },
}));

function overviewTable(data: OverviewData): Tabular {
  return {
    header: ['figure', 'value'],
    rows: [
      ['suggestions shown', data.totalSuggestions],
      ['suggestions accepted', data.acceptedSuggestions],
      ['acceptance rate', data.acceptanceRate],
      ['active users', data.activeUsers],
      ['opted-in users', data.optedInUsers],
      ...(data.teamsUsingAi !== null
        ? [['teams using AI', data.teamsUsingAi] as [string, number]]
        : []),
      ...data.topLanguages.map(
        (l, i) =>
          [
            `top language ${i + 1}: ${
              l.language
            } (suggestions, share, acceptance)`,
            `${l.suggestions}; ${(l.share * 100).toFixed(1)} %; ${formatPercent(
              l.acceptanceRate,
            )}`,
          ] as [string, string],
      ),
    ],
  };
}

/** The headline tiles: suggestions, the acceptance gauge, users, top languages, teams. */
export const OverviewPanel = (props: {
  state: PanelState<OverviewPanelResponse>;
  /** The organisation's figures, shown beside a team's. */
  organisation?: OverviewData;
}) => {
  const classes = useStyles();
  const { organisation } = props;
  return (
    <PanelCard
      id="overview"
      title="Overview"
      subheader="Suggestions shown and accepted, and who uses AI assistants"
      state={props.state}
      isEmpty={p => p.data.totalSuggestions === 0}
      emptyWhat="suggestions"
      tabular={p => overviewTable(p.data)}
      hasChart
    >
      {panel => {
        const { data } = panel;
        // The organisation has five tiles in a row; a team (no "teams using AI") four.
        const narrow = data.teamsUsingAi !== null ? 2 : 3;
        return (
          <Grid container spacing={2}>
            <Grid item xs={12} sm={6} md={4} lg={narrow}>
              <Tile
                label="Total suggestions"
                value={formatCount(data.totalSuggestions)}
                change={tileChange(
                  panel,
                  'totalSuggestions',
                  data.totalSuggestions,
                )}
                note={`${formatCount(data.acceptedSuggestions)} accepted`}
              />
            </Grid>
            <Grid item xs={12} sm={6} md={4} lg={3}>
              <Tile
                label="Acceptance rate"
                change={tileChange(
                  panel,
                  'acceptanceRate',
                  data.acceptanceRate,
                  'ratio',
                )}
                note={
                  organisation
                    ? `Organisation: ${formatPercent(
                        organisation.acceptanceRate,
                      )}`
                    : undefined
                }
              >
                <AcceptanceGauge
                  rate={data.acceptanceRate}
                  threshold={ACCEPTANCE_ALERT_THRESHOLD}
                />
              </Tile>
            </Grid>
            <Grid item xs={12} sm={6} md={4} lg={narrow}>
              <Tile
                label="Active users"
                value={formatCount(data.activeUsers)}
                change={tileChange(panel, 'activeUsers', data.activeUsers)}
                note="shown a suggestion in this range"
              />
            </Grid>
            <Grid item xs={12} sm={6} md={4} lg={narrow}>
              <Tile
                label="Opted-in users"
                value={formatCount(data.optedInUsers)}
                note="telemetry turned on now"
              />
            </Grid>
            {data.teamsUsingAi !== null && (
              <Grid item xs={12} sm={6} md={4} lg={3}>
                <Tile
                  label="Teams using AI"
                  value={formatCount(data.teamsUsingAi)}
                  note="catalog groups with an active member"
                />
              </Grid>
            )}
            <Grid item xs={12}>
              <Tile label="Top 5 languages">
                <ol style={{ margin: 0, paddingLeft: 20 }}>
                  {data.topLanguages.map(l => (
                    <li key={l.language}>
                      <div className={classes.language}>
                        <Typography variant="body2" component="span">
                          {l.language}
                        </Typography>
                        <Typography
                          variant="body2"
                          component="span"
                          color="textSecondary"
                        >
                          {formatCount(l.suggestions)} ·{' '}
                          {formatPercent(l.share)} of all · accepted{' '}
                          {formatPercent(l.acceptanceRate)}
                        </Typography>
                      </div>
                      <LinearProgress
                        className={classes.bar}
                        variant="determinate"
                        value={l.share * 100}
                        aria-label={`${l.language}: ${formatPercent(
                          l.share,
                        )} of suggestions`}
                      />
                    </li>
                  ))}
                </ol>
              </Tile>
            </Grid>
          </Grid>
        );
      }}
    </PanelCard>
  );
};
