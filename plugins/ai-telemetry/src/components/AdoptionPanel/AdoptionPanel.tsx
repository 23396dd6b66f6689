import {
  ADOPTION_COHORTS,
  AdoptionCohort,
  AdoptionData,
  AdoptionPanel as AdoptionPanelResponse,
  DeveloperCount,
} from '@fawkes/plugin-ai-telemetry-common';
import Grid from '@material-ui/core/Grid';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { makeStyles, useTheme } from '@material-ui/core/styles';
import { useMemo } from 'react';
import { Bar, Legend, YAxis } from 'recharts';
import { PanelState } from '../../hooks/usePanelStates';
import {
  formatCount,
  formatPercent,
  formatTime,
  isoTime,
} from '../../lib/format';
import { seriesStyle } from '../../lib/palette';
import { TimeChart, useChartTheme, valueAxisLabel } from '../ChartFrame';
import { Tabular } from '../DataTable';
import { PanelCard } from '../PanelCard';
import { Tile } from '../Tile';

const COHORT_LABELS: Record<AdoptionCohort, string> = {
  light: 'Light',
  moderate: 'Moderate',
  heavy: 'Heavy',
};

const useStyles = makeStyles(theme => ({
  bar: { height: 8, borderRadius: 4, marginTop: theme.spacing(1) },
}));

/** A count of developers as shown: "—" where it is withheld. */
function countText(count: DeveloperCount): string {
  return count === null ? '—' : formatCount(count);
}

function ratio(part: DeveloperCount, whole: number): number | null {
  return part !== null && whole > 0 ? part / whole : null;
}

/** The bounds of each cohort, in words. */
function cohortBounds(data: AdoptionData): Record<AdoptionCohort, string> {
  const { moderateFrom, heavyFrom } = data.definitions;
  return {
    light: `under ${formatCount(moderateFrom)}`,
    moderate: `${formatCount(moderateFrom)} to under ${formatCount(heavyFrom)}`,
    heavy: `${formatCount(heavyFrom)} or more`,
  };
}

function periodLabel(start: number, days: number): string {
  return days > 1
    ? `${formatTime(start, 86400)} (${days} days)`
    : formatTime(start, 86400);
}

function table(panel: AdoptionPanelResponse): Tabular {
  const { funnel, periods, definitions } = panel.data;
  return {
    header: ['figure', 'period start (UTC)', 'days', 'developers'],
    rows: [
      ['opted in', null, null, funnel.optedIn],
      [
        'active',
        isoTime(panel.window.start),
        definitions.windowDays,
        funnel.active,
      ],
      [
        `regular (active on at least ${definitions.regularDays} days)`,
        isoTime(panel.window.start),
        definitions.windowDays,
        funnel.regular,
      ],
      ...periods.flatMap(p =>
        ADOPTION_COHORTS.map(c => [c, isoTime(p.start), p.days, p.cohorts[c]]),
      ),
    ],
  };
}

const Funnel = (props: { data: AdoptionData }) => {
  const classes = useStyles();
  const { funnel, definitions } = props.data;
  const stages = [
    {
      label: 'Opted in',
      count: funnel.optedIn as DeveloperCount,
      share: funnel.optedIn > 0 ? 1 : 0,
      note: 'telemetry turned on now',
    },
    {
      label: 'Active',
      count: funnel.active as DeveloperCount,
      share: ratio(funnel.active, funnel.optedIn),
      note: `shown a suggestion in this range; ${formatPercent(
        ratio(funnel.active, funnel.optedIn),
      )} of those opted in`,
    },
    {
      label: 'Regular',
      count: funnel.regular,
      share: ratio(funnel.regular, funnel.optedIn),
      note:
        funnel.regular === null
          ? `active on at least ${definitions.regularDays} of ${definitions.windowDays} days; withheld to protect a few people`
          : `active on at least ${definitions.regularDays} of ${
              definitions.windowDays
            } days; ${formatPercent(
              ratio(funnel.regular, funnel.active),
            )} of the active`,
    },
  ];
  return (
    <Grid container spacing={2}>
      {stages.map(stage => (
        <Grid item xs={12} md={4} key={stage.label}>
          <Tile
            label={stage.label}
            value={countText(stage.count)}
            note={stage.note}
          >
            <LinearProgress
              className={classes.bar}
              variant="determinate"
              value={(stage.share ?? 0) * 100}
              aria-label={`${stage.label}: ${formatPercent(
                stage.share,
              )} of those opted in`}
            />
          </Tile>
        </Grid>
      ))}
    </Grid>
  );
};

const CohortChart = (props: { data: AdoptionData }) => {
  const theme = useTheme();
  const chart = useChartTheme();
  const { periods, definitions } = props.data;
  const bounds = cohortBounds(props.data);
  const rows = useMemo(
    () =>
      periods.map(p => ({
        label: periodLabel(p.start, p.days),
        ...Object.fromEntries(
          ADOPTION_COHORTS.map(c => [c, p.cohorts[c] ?? 0]),
        ),
        withheld: ADOPTION_COHORTS.filter(c => p.cohorts[c] === null),
      })),
    [periods],
  );
  const unit = definitions.period === 'week' ? 'week' : 'day';
  return (
    <TimeChart
      title={`Active developers per ${unit}, by suggestions shown per active day`}
      height={240}
      type="bar"
      rows={rows}
      periodKey="label"
      formatter={(value, name, item) => {
        const cohort = name as AdoptionCohort;
        const withheld = (
          item.payload as { withheld: AdoptionCohort[] }
        ).withheld.includes(cohort);
        return [
          withheld ? 'withheld' : formatCount(Number(value)),
          COHORT_LABELS[cohort],
        ];
      }}
    >
      <YAxis
        width={56}
        allowDecimals={false}
        tickFormatter={v => formatCount(Number(v))}
        {...chart.axis}
        label={valueAxisLabel(chart, 'Developers')}
      />
      <Legend
        wrapperStyle={chart.legend}
        formatter={name =>
          `${COHORT_LABELS[name as AdoptionCohort]} (${
            bounds[name as AdoptionCohort]
          })`
        }
      />
      {ADOPTION_COHORTS.map((c, i) => (
        <Bar
          key={c}
          dataKey={c}
          name={c}
          stackId="cohorts"
          fill={seriesStyle(theme, i).color}
          isAnimationActive={false}
        />
      ))}
    </TimeChart>
  );
};

/**
 * Adoption: the funnel from opting in to active to regular use, and the light, moderate and heavy
 * cohorts per week or day. Counts the server withholds (too few people) show as "—".
 */
export const AdoptionPanel = (props: {
  state: PanelState<AdoptionPanelResponse>;
}) => (
  <PanelCard
    id="adoption"
    title="Adoption"
    subheader="From opting in to regular use, and how heavily the active developers use their assistant"
    state={props.state}
    isEmpty={p => p.data.funnel.active === 0}
    emptyWhat="suggestions"
    tabular={table}
    hasChart
  >
    {({ data }) => {
      const bounds = cohortBounds(data);
      const { definitions } = data;
      const withheld = data.periods.some(p =>
        ADOPTION_COHORTS.some(c => p.cohorts[c] === null),
      );
      return (
        <Grid container spacing={2}>
          <Grid item xs={12}>
            <Funnel data={data} />
          </Grid>
          <Grid item xs={12}>
            <CohortChart data={data} />
          </Grid>
          <Grid item xs={12}>
            <Typography
              variant="caption"
              color="textSecondary"
              component="p"
              data-testid="adoption-definitions"
            >
              A developer is active on a day when shown at least one suggestion,
              and regular when active on at least {definitions.regularDays} of
              the {definitions.windowDays} days of this range. Each{' '}
              {definitions.period} the active developers are light, moderate or
              heavy by the suggestions shown per day they were active: light{' '}
              {bounds.light}, moderate {bounds.moderate}, heavy {bounds.heavy}.{' '}
              {withheld || data.funnel.regular === null
                ? `Counts of 1 to ${
                    definitions.minGroupSize - 1
                  } developers are withheld ("—", left out of the bars), with another count where needed so that they cannot be worked out.`
                : `Counts of 1 to ${
                    definitions.minGroupSize - 1
                  } developers would be withheld.`}
            </Typography>
          </Grid>
        </Grid>
      );
    }}
  </PanelCard>
);
