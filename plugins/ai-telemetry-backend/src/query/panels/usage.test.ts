import {
  DEFAULT_ASSISTANTS,
  DEFAULT_LANGUAGES,
  UsageData,
} from '@fawkes/plugin-ai-telemetry-common';
import { PrometheusSeries } from '../../upstream/PrometheusClient';
import { parsePanelRequest } from '../params';
import { PanelContext } from './panel';
import { QuerySpec } from './queries';
import { usagePanel } from './usage';

const params = parsePanelRequest(
  { range: '7d' },
  {
    languages: DEFAULT_LANGUAGES,
    assistants: DEFAULT_ASSISTANTS,
    retentionDays: 90,
    now: Date.UTC(2026, 10, 28, 13) / 1000,
  },
);

/** Each metric's figures over the window, by assistant. */
type Figures = Record<string, Record<string, number>>;

/**
 * Loads the usage panel from Prometheus answers holding `figures`: tokens and cost in the first
 * complete bar (the range query; the partial bar's instant query answers none), accepted lines
 * from their instant query over the window.
 */
async function loadUsage(figures: Figures): Promise<UsageData> {
  const answer = (spec: QuerySpec): PrometheusSeries[] => {
    const metric = Object.keys(figures).find(m => spec.query.includes(m));
    const readBy =
      metric === 'ai_copilot_lines_generated' ? 'instant' : 'range';
    if (!metric || spec.type !== readBy) return [];
    const time = spec.type === 'range' ? spec.start : spec.time;
    return Object.entries(figures[metric]).map(([assistant, value]) => ({
      labels: { assistant, model: `${assistant}-model`, type: 'input' },
      points: [[time, value]],
    }));
  };
  const ctx: PanelContext = {
    params,
    run: async spec => answer(spec),
    optedInUsers: async () => 0,
    teamsUsingAi: async () => 0,
    alertRules: async () => [],
    usageVisibility: async () => ({ withheld: false, reporting: 6 }),
    estimates: { hourlyCost: 1, seatCostPerMonth: 1 },
    minGroupSize: 5,
  };
  const sources = {
    suggestions: 'raw',
    linesGenerated: 'raw',
    timeSaved: 'raw',
    featureUsage: 'raw',
  } as const;
  return usagePanel.plan(params, sources).load(ctx);
}

describe('the usage panel', () => {
  it('prices an accepted line from the assistants that report both a cost and lines', async () => {
    const data = await loadUsage({
      ai_copilot_tokens_total: {
        'claude-code': 3_000,
        codex: 2_000,
        'gemini-cli': 1_000,
      },
      // Codex reports a cost but no lines; Gemini CLI lines but no cost.
      ai_copilot_cost_usd_total: { 'claude-code': 30, codex: 50 },
      ai_copilot_lines_generated: { 'claude-code': 600, 'gemini-cli': 400 },
    });
    if (data.withheld) throw new Error('the usage figures were withheld');

    expect(data.costPerAcceptedLine).toEqual({
      usd: 0.05,
      lines: 600,
      assistants: ['claude-code'],
    });
    expect(usagePanel.tiles?.(data).costPerAcceptedLine).toBe(0.05);
  });

  it('has no cost per accepted line when no assistant with a cost has lines', async () => {
    const data = await loadUsage({
      ai_copilot_tokens_total: { codex: 2_000, 'gemini-cli': 1_000 },
      ai_copilot_cost_usd_total: { codex: 50 },
      ai_copilot_lines_generated: { 'gemini-cli': 400 },
    });
    if (data.withheld) throw new Error('the usage figures were withheld');

    expect(data.costPerAcceptedLine).toBeNull();
    expect(usagePanel.tiles?.(data).costPerAcceptedLine).toBeNull();
  });
});
