import { makeStyles, useTheme } from '@material-ui/core/styles';
import Typography from '@material-ui/core/Typography';
import { ReactNode, useLayoutEffect, useRef, useState } from 'react';

/** Width a chart has before (or without, as in jsdom) a measurement. */
const FALLBACK_WIDTH = 640;

const useStyles = makeStyles(theme => ({
  root: { width: '100%', minWidth: 0 },
  title: { color: theme.palette.text.primary, margin: theme.spacing(0, 0, 1) },
}));

/**
 * A titled chart area of a fixed height that follows its container's width, and gives the
 * chart that width (recharts needs numbers; a ResizeObserver supplies them where it exists).
 */
export const ChartFrame = (props: {
  title: string;
  height?: number;
  children: (size: { width: number; height: number }) => ReactNode;
}) => {
  const classes = useStyles();
  const { title, height = 280, children } = props;
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(FALLBACK_WIDTH);

  useLayoutEffect(() => {
    const element = ref.current;
    if (!element || typeof ResizeObserver === 'undefined') return undefined;
    const measure = () => {
      const measured = Math.floor(element.getBoundingClientRect().width);
      if (measured > 0) setWidth(measured);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  return (
    <figure className={classes.root} ref={ref} style={{ margin: 0 }}>
      <Typography
        variant="subtitle2"
        component="figcaption"
        className={classes.title}
      >
        {title}
      </Typography>
      {children({ width, height })}
    </figure>
  );
};

/** Colours and styles for recharts that follow the theme (light or dark). */
export function useChartTheme() {
  const theme = useTheme();
  const text = theme.palette.text.secondary;
  return {
    axis: {
      stroke: theme.palette.divider,
      tick: { fill: text, fontSize: 12 },
    },
    label: { fill: text, fontSize: 12 },
    grid: { stroke: theme.palette.divider, strokeDasharray: '3 3' },
    tooltip: {
      contentStyle: {
        background: theme.palette.background.paper,
        border: `1px solid ${theme.palette.divider}`,
        color: theme.palette.text.primary,
      },
      labelStyle: { color: theme.palette.text.primary },
    },
    legend: { color: theme.palette.text.primary },
  };
}
