import { Theme } from '@material-ui/core/styles';

/**
 * The Okabe–Ito palette, which readers with any common colour-vision deficiency can tell
 * apart. Its black is replaced by grey, which reads on light and dark backgrounds alike.
 */
const OKABE_ITO = {
  blue: '#0072B2',
  orange: '#E69F00',
  green: '#009E73',
  vermillion: '#D55E00',
  purple: '#CC79A7',
  skyBlue: '#56B4E9',
  yellow: '#F0E442',
  grey: '#999999',
};

const LIGHT_ORDER = [
  OKABE_ITO.blue,
  OKABE_ITO.orange,
  OKABE_ITO.green,
  OKABE_ITO.vermillion,
  OKABE_ITO.purple,
  OKABE_ITO.skyBlue,
  OKABE_ITO.grey,
  OKABE_ITO.yellow,
];

// On a dark background the dark blue is dim: the sky blue leads instead.
const DARK_ORDER = [
  OKABE_ITO.skyBlue,
  OKABE_ITO.orange,
  OKABE_ITO.green,
  OKABE_ITO.vermillion,
  OKABE_ITO.purple,
  OKABE_ITO.yellow,
  OKABE_ITO.grey,
  OKABE_ITO.blue,
];

/** Dash patterns that tell apart series beyond the eighth colour. */
const DASHES = [undefined, '6 3', '2 2'];

/** The colour and dash pattern of the i-th series of a chart. */
export function seriesStyle(
  theme: Theme,
  index: number,
): { color: string; dash?: string } {
  const order = theme.palette.type === 'dark' ? DARK_ORDER : LIGHT_ORDER;
  return {
    color: order[index % order.length],
    dash: DASHES[Math.floor(index / order.length) % DASHES.length],
  };
}

/** Colours with a meaning: above / below a threshold, and the organisation as a comparison. */
export function signalColours(theme: Theme) {
  const dark = theme.palette.type === 'dark';
  return {
    good: OKABE_ITO.green,
    bad: OKABE_ITO.vermillion,
    comparison: theme.palette.text.secondary,
    primary: dark ? OKABE_ITO.skyBlue : OKABE_ITO.blue,
    accent: OKABE_ITO.orange,
  };
}

/** The heatmap's one-hue scale (blue), from nothing to the busiest cell. */
export function heatColour(theme: Theme, fraction: number): string {
  const dark = theme.palette.type === 'dark';
  const [r, g, b] = dark ? [86, 180, 233] : [0, 114, 178];
  const alpha = fraction <= 0 ? 0 : 0.12 + 0.88 * Math.min(1, fraction);
  return `rgba(${r}, ${g}, ${b}, ${alpha.toFixed(3)})`;
}
