import { RoiEstimate, TimeSavedData } from '@fawkes/plugin-ai-telemetry-common';
import { NO_LABEL } from './buckets';
import { activeUserCount, PanelContext, specFor } from './context';

/** Days in an average month. */
export const DAYS_PER_MONTH = 365.25 / 12;

/** Hours saved, per active developer and by activity, and the ROI estimate with its inputs. */
export async function loadTimeSaved(ctx: PanelContext): Promise<TimeSavedData> {
  const [byActivity, active] = await Promise.all([
    ctx.run(specFor(ctx, 'timeSaved')),
    ctx.run(specFor(ctx, 'activeUsers')),
  ]);
  const activities = byActivity
    .map(s => ({
      activity: s.labels.activity || NO_LABEL,
      hours: (s.points[0]?.[1] ?? 0) / 3600,
    }))
    .filter(a => Number.isFinite(a.hours))
    .sort((a, b) => b.hours - a.hours || a.activity.localeCompare(b.activity));
  const totalHours = activities.reduce((sum, a) => sum + a.hours, 0);
  const activeUsers = activeUserCount(ctx, active);
  const { start, end } = ctx.params.window;

  return {
    totalHours,
    activeUsers,
    hoursPerActiveUser: activeUsers > 0 ? totalHours / activeUsers : null,
    byActivity: activities,
    roi: roiEstimate({
      hoursSaved: totalHours,
      hourlyCost: ctx.estimates.hourlyCost,
      seatCostPerMonth: ctx.estimates.seatCostPerMonth,
      activeUsers,
      days: (end - start) / 86400,
      daysPerMonth: DAYS_PER_MONTH,
    }),
  };
}

/** The value of the hours saved against the seats of the active users over the window. */
export function roiEstimate(inputs: RoiEstimate['inputs']): RoiEstimate {
  const valueOfTimeSaved = inputs.hoursSaved * inputs.hourlyCost;
  const seatCost =
    (inputs.seatCostPerMonth * inputs.activeUsers * inputs.days) /
    inputs.daysPerMonth;
  return {
    formula:
      'value = hoursSaved × hourlyCost; seatCost = seatCostPerMonth × activeUsers × days ÷ daysPerMonth; ' +
      'net = value − seatCost; ratio = value ÷ seatCost',
    inputs,
    valueOfTimeSaved,
    seatCost,
    net: valueOfTimeSaved - seatCost,
    ratio: seatCost > 0 ? valueOfTimeSaved / seatCost : null,
  };
}
