import { makeStyles } from '@material-ui/core';

const useStyles = makeStyles({
  svg: {
    width: 'auto',
    height: 28,
  },
  mark: {
    fill: '#7df3e1',
  },
});

/** The Fawkes mark for the collapsed sidebar. */
export const LogoIcon = () => {
  const classes = useStyles();

  return (
    <svg
      className={classes.svg}
      xmlns="http://www.w3.org/2000/svg"
      viewBox="0 0 32 36"
      role="img"
      aria-label="Fawkes"
    >
      <path className={classes.mark} d="M4 4h24v6H11v6h14v6H11v10H4z" />
    </svg>
  );
};
