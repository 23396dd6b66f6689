import { RoiEstimate, TimeSavedData } from '@fawkes/plugin-ai-telemetry-common';
import { PanelParams, QuerySource } from '../families';
import { NO_LABEL } from './buckets';
import { activeUserCount, definePanel, PanelContext, scalarOf } from './panel';
import {
  activeUsersQuery,
  InstantQuery,
  perUserIncrease,
  windowIncreaseQuery,
  windowTotalQuery,
} from './queries';

/** Days in an average month. */
export const DAYS_PER_MONTH = 365.25 / 12;

/** Seconds saved in the window, by activity. */
function timeSavedQuery(
  params: PanelParams,
  source: QuerySource,
): InstantQuery {
  return windowIncreaseQuery(params, 'timeSaved', source, ['activity']);
}

/**
 * The usage cost over the window, for the ROI estimate: the whole days the per-developer daily
 * rules hold from them (the usage families have no organisation rules), the rest raw.
 */
function costTotalQuery(params: PanelParams): InstantQuery {
  return windowTotalQuery(params, {
    family: 'costUsd',
    build: (r, _s, seconds) =>
      perUserIncrease('costUsd', params, r, [], seconds),
  });
}

type Queries = {
  byActivity: InstantQuery;
  active: InstantQuery;
  cost: InstantQuery;
};

/** Hours saved, per active developer and by activity, and the ROI estimate with its inputs. */
async function loadTimeSaved(
  queries: Queries,
  ctx: PanelContext,
): Promise<TimeSavedData> {
  const [byActivity, active, usageCostUsd] = await Promise.all([
    ctx.run(queries.byActivity),
    ctx.run(queries.active),
    usageCost(queries.cost, ctx),
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
  const { start, asOf } = ctx.params.window;

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
      days: (asOf - start) / 86400,
      daysPerMonth: DAYS_PER_MONTH,
      usageCostUsd,
    }),
  };
}

/**
 * The assistants' usage cost in the window, only where the usage panel may show figures (the
 * cost of two developers on Claude Code must not be readable off the ROI tile), and only when
 * some cost was reported or priced.
 */
async function usageCost(
  query: InstantQuery,
  ctx: PanelContext,
): Promise<number | null> {
  const visibility = await ctx.usageVisibility();
  if (visibility.withheld) return null;
  const series = await ctx.run(query);
  return series.length > 0 ? scalarOf(series) : null;
}

/**
 * The value of the hours saved against what the assistants cost over the window: the seats of
 * the active users and, where the assistants report it, their usage cost.
 */
export function roiEstimate(inputs: RoiEstimate['inputs']): RoiEstimate {
  const valueOfTimeSaved = inputs.hoursSaved * inputs.hourlyCost;
  const seatCost =
    (inputs.seatCostPerMonth * inputs.activeUsers * inputs.days) /
    inputs.daysPerMonth;
  const totalCost = seatCost + (inputs.usageCostUsd ?? 0);
  return {
    formula:
      'value = hoursSaved × hourlyCost; seatCost = seatCostPerMonth × activeUsers × days ÷ daysPerMonth; ' +
      'cost = seatCost + usageCostUsd (reported by the assistants, or tokens × configured price); ' +
      'net = value − cost; ratio = value ÷ cost',
    inputs,
    estimated: ['hoursSaved', 'hourlyCost', 'seatCostPerMonth'],
    valueOfTimeSaved,
    seatCost,
    totalCost,
    net: valueOfTimeSaved - totalCost,
    ratio: totalCost > 0 ? valueOfTimeSaved / totalCost : null,
  };
}

/**
 * Time saved: estimated hours saved, per active developer and by activity, and what they are
 * worth against the seats and the usage cost.
 */
export const timeSavedPanel = definePanel({
  id: 'timeSaved',
  families: ['timeSaved'],
  step: window => window.step,
  queries: (params, sources): Queries => ({
    byActivity: timeSavedQuery(params, sources.timeSaved),
    // Time saved has no language label, so the developers it is divided by are counted
    // without the language filter too.
    active: activeUsersQuery({
      ...params,
      filters: { assistant: params.filters.assistant },
    }),
    cost: costTotalQuery(params),
  }),
  load: loadTimeSaved,
  tiles: data => ({
    totalHours: data.totalHours,
    hoursPerActiveUser: data.hoursPerActiveUser,
    roiRatio: data.roi.ratio,
  }),
});
