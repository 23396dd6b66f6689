import {
  FEATURES,
  FeatureUsageData,
  FeatureUsagePanel as FeatureUsagePanelResponse,
  HeatmapCell,
} from '@fawkes/plugin-ai-telemetry-common';
import Typography from '@material-ui/core/Typography';
import { makeStyles, useTheme } from '@material-ui/core/styles';
import ToggleButton from '@material-ui/lab/ToggleButton';
import ToggleButtonGroup from '@material-ui/lab/ToggleButtonGroup';
import { useState } from 'react';
import { PanelState } from '../../hooks/usePanelStates';
import { formatCount } from '../../lib/format';
import { heatColour } from '../../lib/palette';
import { Tabular } from '../DataTable';
import { PanelCard } from '../PanelCard';

type HeatmapView = 'hourOfDay' | 'dayOfWeek';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const HOURS = Array.from({ length: 24 }, (_, h) => h);

const useStyles = makeStyles(theme => ({
  grid: {
    display: 'grid',
    gap: 2,
    alignItems: 'stretch',
    fontSize: 12,
    color: theme.palette.text.primary,
  },
  rowLabel: {
    display: 'flex',
    alignItems: 'center',
    paddingRight: theme.spacing(1),
    color: theme.palette.text.primary,
  },
  colLabel: {
    textAlign: 'center',
    color: theme.palette.text.secondary,
    fontSize: 11,
  },
  cell: {
    minHeight: 28,
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'center',
    borderRadius: 2,
    border: `1px solid ${theme.palette.divider}`,
    fontVariantNumeric: 'tabular-nums',
  },
  total: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'flex-end',
    paddingLeft: theme.spacing(1),
    color: theme.palette.text.secondary,
    fontVariantNumeric: 'tabular-nums',
  },
  legend: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    marginTop: theme.spacing(1),
    color: theme.palette.text.secondary,
    fontSize: 12,
  },
  legendBar: { width: 160, height: 10, borderRadius: 2 },
}));

/** The features in the contract's order, then any others the answer has. */
function featuresOf(data: FeatureUsageData): string[] {
  const seen = new Set<string>([
    ...data.totals.map(t => t.feature),
    ...data.heatmap.hourOfDay.map(c => c.feature),
  ]);
  const known = FEATURES.filter(f => seen.has(f));
  return [...known, ...[...seen].filter(f => !known.includes(f as never))];
}

function countsOf(cells: HeatmapCell[]): Map<string, number> {
  return new Map(cells.map(c => [`${c.feature}/${c.bucket}`, c.count]));
}

function table(data: FeatureUsageData): Tabular {
  const features = featuresOf(data);
  const hours = countsOf(data.heatmap.hourOfDay);
  const days = countsOf(data.heatmap.dayOfWeek);
  const totals = new Map(data.totals.map(t => [t.feature, t.count]));
  return {
    header: [
      'feature',
      'total',
      ...HOURS.map(h => `${String(h).padStart(2, '0')}:00 UTC`),
      ...WEEKDAYS.map(d => `${d} (UTC)`),
    ],
    rows: features.map(f => [
      f,
      totals.get(f) ?? 0,
      ...HOURS.map(h => hours.get(`${f}/${h}`) ?? 0),
      ...WEEKDAYS.map((_, d) => days.get(`${f}/${d}`) ?? 0),
    ]),
  };
}

const Heatmap = (props: { data: FeatureUsageData }) => {
  const classes = useStyles();
  const theme = useTheme();
  const { data } = props;
  const [view, setView] = useState<HeatmapView>('hourOfDay');
  const features = featuresOf(data);
  const buckets = view === 'hourOfDay' ? HOURS : WEEKDAYS.map((_, d) => d);
  const bucketLabel = (b: number) =>
    view === 'hourOfDay' ? String(b).padStart(2, '0') : WEEKDAYS[b];
  const counts = countsOf(data.heatmap[view]);
  const max = Math.max(1, ...data.heatmap[view].map(c => c.count));
  const totals = new Map(data.totals.map(t => [t.feature, t.count]));
  const showNumbers = view === 'dayOfWeek';
  const axisName = view === 'hourOfDay' ? 'Hour of day' : 'Weekday';
  const axis = `${axisName} (UTC)`;
  const caption = `Feature invocations by feature and ${axisName.toLowerCase()} (UTC)`;

  return (
    <>
      <ToggleButtonGroup
        size="small"
        exclusive
        value={view}
        onChange={(_, value: HeatmapView | null) => value && setView(value)}
        aria-label="Heatmap columns"
        style={{ marginBottom: 8 }}
      >
        <ToggleButton value="hourOfDay">Hour of day</ToggleButton>
        <ToggleButton value="dayOfWeek">Weekday</ToggleButton>
      </ToggleButtonGroup>
      <Typography variant="subtitle2" component="p" gutterBottom>
        {caption}
      </Typography>
      <div
        className={classes.grid}
        style={{
          gridTemplateColumns: `max-content repeat(${buckets.length}, minmax(0, 1fr)) max-content`,
        }}
        role="table"
        aria-label={caption}
      >
        <div role="row" style={{ display: 'contents' }}>
          <div className={classes.colLabel} role="columnheader">
            Feature
          </div>
          {buckets.map(b => (
            <div key={b} className={classes.colLabel} role="columnheader">
              {bucketLabel(b)}
            </div>
          ))}
          <div className={classes.colLabel} role="columnheader">
            Total
          </div>
        </div>
        {features.map(f => (
          <div key={f} role="row" style={{ display: 'contents' }}>
            <div className={classes.rowLabel} role="rowheader">
              {f}
            </div>
            {buckets.map(b => {
              const count = counts.get(`${f}/${b}`) ?? 0;
              const fraction = count / max;
              const label = `${f}, ${axisName} ${bucketLabel(b)}: ${formatCount(
                count,
              )}`;
              return (
                <div
                  key={b}
                  role="cell"
                  className={classes.cell}
                  title={label}
                  aria-label={label}
                  style={{
                    background: heatColour(theme, fraction),
                    color:
                      fraction > 0.55 ? '#fff' : theme.palette.text.primary,
                  }}
                >
                  {showNumbers ? formatCount(count) : ''}
                </div>
              );
            })}
            <div className={classes.total} role="cell">
              {formatCount(totals.get(f) ?? 0)}
            </div>
          </div>
        ))}
      </div>
      <Typography
        variant="caption"
        color="textSecondary"
        component="p"
        align="center"
      >
        {axis}
      </Typography>
      <div className={classes.legend} aria-hidden="true">
        <span>0</span>
        <span
          className={classes.legendBar}
          style={{
            background: `linear-gradient(to right, ${heatColour(
              theme,
              0.001,
            )}, ${heatColour(theme, 1)})`,
          }}
        />
        <span>{formatCount(max)} invocations</span>
      </div>
    </>
  );
};

/** Assistant feature use: a heatmap of feature × hour of day, or × weekday. */
export const FeatureUsagePanel = (props: {
  state: PanelState<FeatureUsagePanelResponse>;
}) => (
  <PanelCard
    id="feature-usage"
    title="Feature usage"
    subheader="Which assistant features are used, and when"
    state={props.state}
    isEmpty={p => p.data.totals.every(t => t.count === 0)}
    emptyWhat="feature use"
    tabular={p => table(p.data)}
    hasChart
  >
    {panel => <Heatmap data={panel.data} />}
  </PanelCard>
);
