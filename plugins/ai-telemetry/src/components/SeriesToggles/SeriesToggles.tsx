import Checkbox from '@material-ui/core/Checkbox';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormGroup from '@material-ui/core/FormGroup';
import { makeStyles } from '@material-ui/core/styles';

/** One series a chart can show or hide. */
export type ToggleableSeries = {
  key: string;
  label: string;
  color: string;
  dash?: string;
};

const useStyles = makeStyles(theme => ({
  group: { gap: theme.spacing(0, 1.5), marginBottom: theme.spacing(1) },
  label: { marginRight: 0, color: theme.palette.text.primary },
}));

const Swatch = (props: { color: string; dash?: string }) => (
  <svg width="22" height="10" aria-hidden="true" style={{ marginRight: 4 }}>
    <line
      x1="1"
      y1="5"
      x2="21"
      y2="5"
      stroke={props.color}
      strokeWidth="3"
      strokeDasharray={props.dash}
    />
  </svg>
);

/** The legend of a chart, as checkboxes that show or hide each series. */
export const SeriesToggles = (props: {
  label: string;
  series: ToggleableSeries[];
  hidden: ReadonlySet<string>;
  onChange: (hidden: Set<string>) => void;
}) => {
  const classes = useStyles();
  const { series, hidden, onChange } = props;
  return (
    <FormGroup
      row
      className={classes.group}
      aria-label={props.label}
      role="group"
    >
      {series.map(s => (
        <FormControlLabel
          key={s.key}
          className={classes.label}
          control={
            <Checkbox
              size="small"
              checked={!hidden.has(s.key)}
              style={{ color: s.color, padding: 4 }}
              onChange={(_, checked) => {
                const next = new Set(hidden);
                if (checked) next.delete(s.key);
                else next.add(s.key);
                onChange(next);
              }}
            />
          }
          label={
            <span style={{ display: 'inline-flex', alignItems: 'center' }}>
              <Swatch color={s.color} dash={s.dash} />
              {s.label}
            </span>
          }
        />
      ))}
    </FormGroup>
  );
};
