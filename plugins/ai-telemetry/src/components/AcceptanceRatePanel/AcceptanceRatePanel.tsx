import {
  AcceptanceBar,
  AcceptanceRatePanel as AcceptanceRatePanelResponse,
  NamedSeries,
  Point,
  pointsOf,
  Series,
} from '@fawkes/plugin-ai-telemetry-common';
import Typography from '@material-ui/core/Typography';
import ToggleButton from '@material-ui/lab/ToggleButton';
import ToggleButtonGroup from '@material-ui/lab/ToggleButtonGroup';
import { Theme, useTheme } from '@material-ui/core/styles';
import { useMemo, useState } from 'react';
import { Line, ReferenceLine, YAxis } from 'recharts';
import { PanelState } from '../../hooks/usePanelStates';
import { formatTime, isoTime } from '../../lib/format';
import { seriesStyle, signalColours } from '../../lib/palette';
import { byTotal, ChartRow, keyedSeries, mergeSeries } from '../../lib/series';
import { ACCEPTANCE_ALERT_THRESHOLD } from '../../lib/thresholds';
import {
  barUnit,
  TimeChart,
  useChartTheme,
  valueAxisLabel,
} from '../ChartFrame';
import { Tabular } from '../DataTable';
import { PanelCard } from '../PanelCard';
import { SeriesToggles, ToggleableSeries } from '../SeriesToggles';

type SplitBy = 'language' | 'assistant';
type Granularity = 'bar' | 'step';

type ChartSeries = ToggleableSeries & { points: Point[]; width: number };

function percentages(points: Point[]): Point[] {
  return points.map(p => ({ t: p.t, v: p.v * 100 }));
}

function buildSeries(
  panel: AcceptanceRatePanelResponse,
  splitBy: SplitBy,
  theme: Theme,
  organisation?: Point[],
): ChartSeries[] {
  const colours = signalColours(theme);
  const split: NamedSeries[] = byTotal(
    splitBy === 'language' ? panel.data.byLanguage : panel.data.byAssistant,
  );
  const base: ChartSeries[] = [
    {
      key: 'overall',
      label: 'All suggestions, per step',
      color: theme.palette.text.secondary,
      points: pointsOf(panel.data.overall),
      width: 1,
    },
    {
      key: 'movingAverage7d',
      label: '7-day moving average',
      color: colours.primary,
      points: pointsOf(panel.data.movingAverage7d),
      width: 3,
    },
  ];
  if (organisation) {
    base.push({
      key: 'organisation',
      label: 'Organisation, 7-day moving average',
      color: colours.comparison,
      dash: '2 3',
      points: organisation,
      width: 2,
    });
  }
  return [
    ...base,
    ...split.map((s, i) => {
      // The first palette colour is the moving average's.
      const style = seriesStyle(theme, i + 1);
      return {
        key: `${splitBy}:${s.name}`,
        label: s.name,
        color: style.color,
        dash: style.dash,
        points: pointsOf(s),
        width: 1.5,
      };
    }),
  ];
}

/** The split series start hidden: per-step ratios of single languages are noisy together. */
function initiallyHidden(series: ChartSeries[]): Set<string> {
  return new Set(series.filter(s => s.key.includes(':')).map(s => s.key));
}

/** The percentage axis both acceptance charts draw against. */
function percentAxis(chart: ReturnType<typeof useChartTheme>) {
  return {
    domain: [0, 100],
    unit: ' %',
    width: 64,
    ...chart.axis,
    label: { ...valueAxisLabel(chart, 'Acceptance rate (%)'), offset: 4 },
  };
}

/** The alert threshold line both acceptance charts draw. */
function alertLine(theme: Theme) {
  return {
    y: ACCEPTANCE_ALERT_THRESHOLD * 100,
    stroke: theme.palette.text.secondary,
    strokeDasharray: '2 4',
    label: {
      value: `alert below ${ACCEPTANCE_ALERT_THRESHOLD * 100} %`,
      position: 'insideTopRight' as const,
      fill: theme.palette.text.secondary,
      fontSize: 11,
    },
  };
}

/** A bar's dot: filled; hollow when few suggestions were shown; dashed while it runs. */
function BarDot(props: {
  cx?: number;
  cy?: number;
  payload?: { bar?: AcceptanceBar };
  color: string;
  background: string;
}) {
  const { cx, cy, payload, color, background } = props;
  const bar = payload?.bar;
  if (cx === undefined || cy === undefined || !bar || bar.v === null) {
    return null;
  }
  const hollow = bar.few || bar.partial;
  let kind = 'full';
  if (bar.partial) kind = 'partial';
  else if (bar.few) kind = 'few';
  return (
    <circle
      cx={cx}
      cy={cy}
      r={4}
      stroke={color}
      strokeWidth={2}
      strokeDasharray={bar.partial ? '2 2' : undefined}
      fill={hollow ? background : color}
      data-testid={`acceptance-bar-${kind}`}
    />
  );
}

const BarChartView = (props: {
  panel: AcceptanceRatePanelResponse;
  organisation?: Point[];
}) => {
  const theme = useTheme();
  const chart = useChartTheme();
  const colours = signalColours(theme);
  const { panel, organisation } = props;
  const { bars, barStep } = panel.data;
  const unit = barUnit(barStep);
  const rows = useMemo(() => {
    const merged = mergeSeries({
      rate: bars.flatMap(b => (b.v === null ? [] : [{ t: b.t, v: b.v * 100 }])),
      ...(organisation && { organisation: percentages(organisation) }),
    });
    return merged.map(r => ({ ...r, bar: bars.find(b => b.t === r.t) }));
  }, [bars, organisation]);
  const partial = bars.find(b => b.partial);
  const few = bars.filter(b => b.few && !b.partial && b.v !== null).length;
  return (
    <>
      <TimeChart
        title={`Acceptance rate per ${unit} (accepted ÷ shown, %)`}
        type="line"
        rows={rows}
        time={{ step: barStep, spanMs: panel.window.end - panel.window.start }}
        marginRight={16}
        formatter={(value, name, item) => {
          const bar = (item?.payload as { bar?: AcceptanceBar })?.bar;
          if (name !== 'rate' || !bar) {
            return [`${Number(value).toFixed(1)} %`, 'organisation'];
          }
          const notes = [
            `${Math.round(bar.shown)} shown`,
            ...(bar.partial ? ['so far'] : []),
            ...(bar.few ? ['few suggestions'] : []),
          ];
          return [
            `${Number(value).toFixed(1)} % (${notes.join(', ')})`,
            `per ${unit}`,
          ];
        }}
      >
        <YAxis {...percentAxis(chart)} />
        <ReferenceLine {...alertLine(theme)} />
        <Line
          dataKey="rate"
          name="rate"
          stroke={colours.primary}
          strokeWidth={2}
          dot={p => (
            <BarDot
              key={`dot-${p.index}`}
              {...p}
              color={colours.primary}
              background={theme.palette.background.paper}
            />
          )}
          connectNulls={false}
          isAnimationActive={false}
        />
        {organisation && (
          <Line
            dataKey="organisation"
            name="organisation"
            stroke={colours.comparison}
            strokeDasharray="2 3"
            strokeWidth={2}
            dot={false}
            connectNulls
            isAnimationActive={false}
          />
        )}
      </TimeChart>
      <Typography
        variant="caption"
        color="textSecondary"
        component="p"
        data-testid="acceptance-marks"
      >
        A hollow dot: few suggestions that {unit} ({few} in this range), so its
        rate says little.
        {partial &&
          ` The dashed dot is ${
            unit === 'day' ? 'today' : 'this hour'
          } so far, up to ${formatTime(panel.window.asOf, 3600)} UTC.`}
        {organisation && ' Dotted: the organisation’s 7-day moving average.'}
      </Typography>
    </>
  );
};

function table(
  panel: AcceptanceRatePanelResponse,
  organisation?: Point[],
): Tabular {
  const series: Record<string, Point[]> = {
    overall: pointsOf(panel.data.overall),
    moving_average_7d: pointsOf(panel.data.movingAverage7d),
    ...(organisation && { organisation }),
    ...keyedSeries(panel.data.byLanguage, 'language:'),
    ...keyedSeries(panel.data.byAssistant, 'assistant:'),
  };
  const keys = Object.keys(series);
  const rows = mergeSeries(series);
  return {
    header: ['time', ...keys.map(k => `${k} (acceptance 0..1)`)],
    rows: rows.map(r => [isoTime(r.t), ...keys.map(k => r[k])]),
  };
}

const StepChart = (props: {
  panel: AcceptanceRatePanelResponse;
  organisation?: Point[];
}) => {
  const theme = useTheme();
  const chart = useChartTheme();
  const { panel, organisation } = props;
  const [splitBy, setSplitBy] = useState<SplitBy>('language');
  const series = useMemo(
    () => buildSeries(panel, splitBy, theme, organisation),
    [panel, splitBy, theme, organisation],
  );
  const [hidden, setHidden] = useState<Set<string>>(() =>
    initiallyHidden(series),
  );
  const rows: ChartRow[] = useMemo(
    () =>
      mergeSeries(
        Object.fromEntries(series.map(s => [s.key, percentages(s.points)])),
      ),
    [series],
  );
  const step = panel.step;
  const span = panel.window.end - panel.window.start;

  return (
    <>
      <ToggleButtonGroup
        size="small"
        exclusive
        value={splitBy}
        onChange={(_, value: SplitBy | null) => {
          if (!value) return;
          setSplitBy(value);
          setHidden(
            initiallyHidden(buildSeries(panel, value, theme, organisation)),
          );
        }}
        aria-label="Split the acceptance rate by"
        style={{ marginBottom: 8 }}
      >
        <ToggleButton value="language">By language</ToggleButton>
        <ToggleButton value="assistant">By assistant</ToggleButton>
      </ToggleButtonGroup>
      <SeriesToggles
        label="Series shown in the acceptance rate chart"
        series={series}
        hidden={hidden}
        onChange={setHidden}
      />
      <TimeChart
        title="Acceptance rate over time (accepted ÷ shown, %)"
        type="line"
        rows={rows}
        time={{ step, spanMs: span, label: 'Time (UTC)' }}
        marginRight={16}
        formatter={(value, name) => [
          `${Number(value).toFixed(1)} %`,
          series.find(s => s.key === name)?.label ?? name,
        ]}
      >
        <YAxis {...percentAxis(chart)} />
        <ReferenceLine {...alertLine(theme)} />
        {series
          .filter(s => !hidden.has(s.key))
          .map(s => (
            <Line
              key={s.key}
              dataKey={s.key}
              name={s.key}
              stroke={s.color}
              strokeDasharray={s.dash}
              strokeWidth={s.width}
              strokeOpacity={s.key === 'overall' ? 0.6 : 1}
              dot={false}
              connectNulls={false}
              isAnimationActive={false}
            />
          ))}
      </TimeChart>
    </>
  );
};

const AcceptanceChart = (props: {
  panel: AcceptanceRatePanelResponse;
  organisation?: Point[];
}) => {
  const [granularity, setGranularity] = useState<Granularity>('bar');
  const unit = barUnit(props.panel.data.barStep);
  return (
    <>
      <ToggleButtonGroup
        size="small"
        exclusive
        value={granularity}
        onChange={(_, value: Granularity | null) =>
          value && setGranularity(value)
        }
        aria-label="How finely the acceptance rate is drawn"
        style={{ marginBottom: 8, marginRight: 8 }}
      >
        <ToggleButton value="bar">{`Per ${unit}`}</ToggleButton>
        <ToggleButton value="step">Per step, by language</ToggleButton>
      </ToggleButtonGroup>
      {granularity === 'bar' ? (
        <BarChartView {...props} />
      ) : (
        <StepChart {...props} />
      )}
    </>
  );
};

/** Acceptance rate over time: overall, its 7-day moving average, and by language or assistant. */
export const AcceptanceRatePanel = (props: {
  state: PanelState<AcceptanceRatePanelResponse>;
  /** The organisation's 7-day moving average, drawn as a comparison line on a team's chart. */
  organisation?: Series;
}) => {
  const organisation = useMemo(
    () => props.organisation && pointsOf(props.organisation),
    [props.organisation],
  );
  return (
    <PanelCard
      id="acceptance-rate"
      title="Acceptance rate"
      subheader="Share of shown suggestions that were accepted"
      state={props.state}
      isEmpty={p =>
        p.data.overall.values.every(v => v === null) &&
        p.data.bars.every(b => b.v === null)
      }
      emptyWhat="suggestions"
      tabular={p => table(p, organisation)}
      hasChart
    >
      {panel => <AcceptanceChart panel={panel} organisation={organisation} />}
    </PanelCard>
  );
};
