import { makeStyles } from '@material-ui/core';

const useStyles = makeStyles({
  svg: {
    width: 'auto',
    height: 30,
  },
  mark: {
    fill: '#7df3e1',
  },
  text: {
    fill: '#ffffff',
    fontFamily: 'Helvetica, Arial, sans-serif',
    fontWeight: 700,
    fontSize: 30,
  },
});

/** The Fawkes wordmark for the open sidebar. */
export const LogoFull = () => {
  const classes = useStyles();

  return (
    <svg
      className={classes.svg}
      xmlns="http://www.w3.org/2000/svg"
      viewBox="0 0 150 36"
      role="img"
      aria-label="Fawkes"
    >
      <path className={classes.mark} d="M4 4h24v6H11v6h14v6H11v10H4z" />
      <text className={classes.text} x="36" y="29">
        Fawkes
      </text>
    </svg>
  );
};
