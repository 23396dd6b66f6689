import {
  DASHBOARD_RANGES,
  DEFAULT_ASSISTANTS,
  DEFAULT_LANGUAGES,
  QueryWindow,
} from '@fawkes/plugin-ai-telemetry-common';
import FormControl from '@material-ui/core/FormControl';
import InputLabel from '@material-ui/core/InputLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ToggleButton from '@material-ui/lab/ToggleButton';
import ToggleButtonGroup from '@material-ui/lab/ToggleButtonGroup';
import {
  DashboardView,
  RangeChoice,
  utcDate,
} from '../../hooks/useDashboardView';

const RANGE_LABELS: Record<RangeChoice, string> = {
  '24h': '24 h',
  '7d': '7 days',
  '30d': '30 days',
  '90d': '90 days',
  custom: 'Custom',
};

const useStyles = makeStyles(theme => ({
  root: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(3),
  },
  select: { minWidth: 160 },
  window: { flexBasis: '100%' },
}));

const ALL = '';

/** Adds the current value to a list of options when the list lacks it. */
function optionsWith(options: readonly string[], current?: string): string[] {
  return current && !options.includes(current)
    ? [...options, current]
    : [...options];
}

/**
 * The dashboard's time range (24 h, 7 d, 30 d, 90 d or custom days) and its filters
 * (language, assistant). The view lives in the URL, so a link shares it.
 */
/** One filter: "all" or one value of an allow-list. */
const FilterSelect = (props: {
  name: string;
  label: string;
  allLabel: string;
  options: readonly string[];
  value?: string;
  className: string;
  onChange: (value: string | undefined) => void;
}) => {
  const labelId = `ai-telemetry-${props.name}-label`;
  return (
    <FormControl variant="outlined" size="small" className={props.className}>
      <InputLabel id={labelId}>{props.label}</InputLabel>
      <Select
        labelId={labelId}
        label={props.label}
        value={props.value ?? ALL}
        onChange={e => props.onChange((e.target.value as string) || undefined)}
      >
        <MenuItem value={ALL}>{props.allLabel}</MenuItem>
        {props.options.map(option => (
          <MenuItem key={option} value={option}>
            {option}
          </MenuItem>
        ))}
      </Select>
    </FormControl>
  );
};

export const DashboardFilters = (props: {
  view: DashboardView;
  onChange: (change: Partial<DashboardView>) => void;
  /** The window the last answer covered, shown so that the reader knows what "30 days" meant. */
  window?: QueryWindow;
  languages?: readonly string[];
  assistants?: readonly string[];
}) => {
  const classes = useStyles();
  const { view, onChange, window } = props;
  const languages = optionsWith(
    props.languages ?? DEFAULT_LANGUAGES,
    view.language,
  );
  const assistants = optionsWith(
    props.assistants ?? DEFAULT_ASSISTANTS,
    view.assistant,
  );

  return (
    <div className={classes.root} role="search" aria-label="Dashboard filters">
      <ToggleButtonGroup
        size="small"
        exclusive
        value={view.range}
        onChange={(_, range: RangeChoice | null) =>
          range && onChange({ range })
        }
        aria-label="Time range"
      >
        {[...DASHBOARD_RANGES, 'custom' as const].map(r => (
          <ToggleButton key={r} value={r} aria-label={RANGE_LABELS[r]}>
            {RANGE_LABELS[r]}
          </ToggleButton>
        ))}
      </ToggleButtonGroup>
      {view.range === 'custom' && (
        <>
          <TextField
            label="From (UTC)"
            type="date"
            size="small"
            variant="outlined"
            value={view.from ?? ''}
            InputLabelProps={{ shrink: true }}
            inputProps={{ max: view.to ?? utcDate(Date.now()) }}
            onChange={e => e.target.value && onChange({ from: e.target.value })}
          />
          <TextField
            label="To, included (UTC)"
            type="date"
            size="small"
            variant="outlined"
            value={view.to ?? ''}
            InputLabelProps={{ shrink: true }}
            inputProps={{ min: view.from, max: utcDate(Date.now()) }}
            onChange={e => e.target.value && onChange({ to: e.target.value })}
          />
        </>
      )}
      <FilterSelect
        name="language"
        label="Language"
        allLabel="All languages"
        options={languages}
        value={view.language}
        className={classes.select}
        onChange={language => onChange({ language })}
      />
      <FilterSelect
        name="assistant"
        label="Assistant"
        allLabel="All assistants"
        options={assistants}
        value={view.assistant}
        className={classes.select}
        onChange={assistant => onChange({ assistant })}
      />
      {window && (
        <Typography
          variant="caption"
          color="textSecondary"
          className={classes.window}
        >
          Showing {utcDate(window.start)}{' '}
          {new Date(window.start).toISOString().slice(11, 16)} to{' '}
          {window.asOf < window.end ? (
            <>
              now ({utcDate(window.asOf)}{' '}
              {new Date(window.asOf).toISOString().slice(11, 16)} UTC; the last{' '}
              {window.end - window.start >= 3 * 86_400_000 ? 'day' : 'hour'} is
              partial).
            </>
          ) : (
            <>
              {utcDate(window.end)}{' '}
              {new Date(window.end).toISOString().slice(11, 16)} UTC (end
              excluded).
            </>
          )}{' '}
          Times in charts are UTC.
        </Typography>
      )}
    </div>
  );
};
