import Typography from '@material-ui/core/Typography';
import { useTheme } from '@material-ui/core/styles';
import { formatPercent } from '../../lib/format';
import { signalColours } from '../../lib/palette';

const CX = 100;
const CY = 100;
const R = 80;
const STROKE = 16;

/** The point of the half circle at a fraction 0..1 (0 on the left, 1 on the right). */
function at(fraction: number, radius = R): [number, number] {
  const angle = Math.PI * (1 - fraction);
  return [CX + radius * Math.cos(angle), CY - radius * Math.sin(angle)];
}

function arc(from: number, to: number): string {
  const [x1, y1] = at(from);
  const [x2, y2] = at(to);
  return `M ${x1.toFixed(2)} ${y1.toFixed(2)} A ${R} ${R} 0 0 1 ${x2.toFixed(
    2,
  )} ${y2.toFixed(2)}`;
}

/**
 * The acceptance rate as a half-circle gauge, with the alert threshold marked: the arc is
 * green at or above it, vermillion below it.
 */
export const AcceptanceGauge = (props: {
  rate: number | null;
  threshold: number;
}) => {
  const theme = useTheme();
  const colours = signalColours(theme);
  const { rate, threshold } = props;
  const value = rate === null ? 0 : Math.max(0, Math.min(1, rate));
  const below = rate !== null && rate < threshold;
  const [tx1, ty1] = at(threshold, R - STROKE);
  const [tx2, ty2] = at(threshold, R + STROKE);
  const [lx, ly] = at(threshold, R + STROKE + 10);
  const label = `Acceptance rate ${formatPercent(
    rate,
  )}; alert below ${formatPercent(threshold)}`;

  return (
    <div>
      <svg
        viewBox="0 0 200 118"
        width="100%"
        style={{ maxWidth: 240 }}
        role="img"
        aria-label={label}
      >
        <path
          d={arc(0, 1)}
          fill="none"
          stroke={theme.palette.action.disabledBackground}
          strokeWidth={STROKE}
        />
        {rate !== null && value > 0 && (
          <path
            d={arc(0, value)}
            fill="none"
            stroke={below ? colours.bad : colours.good}
            strokeWidth={STROKE}
          />
        )}
        <line
          x1={tx1}
          y1={ty1}
          x2={tx2}
          y2={ty2}
          stroke={theme.palette.text.primary}
          strokeWidth={2}
        />
        <text
          x={lx}
          y={ly}
          fontSize={10}
          textAnchor="end"
          fill={theme.palette.text.secondary}
        >
          {formatPercent(threshold)}
        </text>
        <text
          x={CX}
          y={CY - 8}
          fontSize={26}
          fontWeight={600}
          textAnchor="middle"
          fill={theme.palette.text.primary}
        >
          {formatPercent(rate)}
        </text>
        <text
          x={CX}
          y={CY + 12}
          fontSize={10}
          textAnchor="middle"
          fill={theme.palette.text.secondary}
        >
          accepted of shown
        </text>
      </svg>
      <Typography variant="caption" color="textSecondary" component="p">
        {below
          ? `Below the ${formatPercent(
              threshold,
            )} line of the low-acceptance alert.`
          : `The mark is the alert line (${formatPercent(threshold)}).`}
      </Typography>
    </div>
  );
};
