import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { ReactNode } from 'react';

const useStyles = makeStyles(theme => ({
  tile: {
    height: '100%',
    padding: theme.spacing(1.5),
    border: `1px solid ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
  },
  figure: { fontWeight: 600, lineHeight: 1.2 },
}));

/** A bordered figure tile: a heading, a large value, anything else, and a small note. */
export const Tile = (props: {
  /** The tile's accessible name, and its heading unless one is given. */
  label: string;
  heading?: ReactNode;
  value?: ReactNode;
  note?: ReactNode;
  /** The change against the previous window (lib/change.ts). */
  change?: string;
  children?: ReactNode;
}) => {
  const classes = useStyles();
  return (
    <div className={classes.tile} role="group" aria-label={props.label}>
      <Typography variant="overline" color="textSecondary" component="h3">
        {props.heading ?? props.label}
      </Typography>
      {props.value !== undefined && (
        <Typography variant="h4" component="p" className={classes.figure}>
          {props.value}
        </Typography>
      )}
      {props.children}
      {props.change && (
        <Typography
          variant="caption"
          color="textSecondary"
          component="p"
          data-testid="tile-change"
        >
          {props.change}
        </Typography>
      )}
      {props.note && (
        <Typography variant="caption" color="textSecondary" component="p">
          {props.note}
        </Typography>
      )}
    </div>
  );
};
