import {
  DEFAULT_SECONDS_PER_LINE,
  TOKEN_TYPES,
  TokenType,
  UNKNOWN_LANGUAGE,
} from '@fawkes/plugin-ai-telemetry-common';
import {
  CONTRACT_METRICS,
  engagementAt,
  firstSampleOf,
  learningAt,
  MetricKey,
  Period,
  stepRhythm,
  UserProfile,
  UserSeries,
  ValueScale,
} from './activity';
import {
  DEMO_MODELS,
  DEMO_PRICES,
  drawModelUse,
  logNormal,
  ModelUse,
  OtlpAssistant,
  otlpAssistantOf,
  TOKENS_CV,
} from './otlpDevelopers';
import { DemoUser } from './org';
import { createRandom, Random } from './random';

/**
 * The history of the demo's OTLP developers (otlpDevelopers.ts): what their assistant's own
 * OpenTelemetry metrics add to the contract's counters once the backend's OTLP receiver has
 * mapped them (plugins/ai-telemetry-backend/src/otlp/sources.ts). Each assistant feeds only
 * what it reports:
 *
 * - Claude Code: sessions, tokens (input, output, cache_read, cache_creation) and its own cost
 *   by model, active time (user and agent), commits, pull requests, its edit decisions as
 *   suggestions (with their language), lines added (language `unknown`) and their time saved.
 * - Gemini CLI: sessions, tokens (input, output, cache_read, reasoning), cost at the configured
 *   price, decisions on its editing tools as suggestions and lines added (language `unknown`).
 * - Codex: threads as sessions, tokens (input, cache_read, output, reasoning), cost at the
 *   configured price, approvals of apply_patch as suggestions (language `unknown`).
 *
 * The simulation is driven by the agent's turns (a prompt and the work it sets off), which
 * follow the user's working rhythm; every other figure is drawn from the turns, each from a
 * random stream of its own, so that any one metric family can be played again on its own
 * (writeDemoMetrics plays the users once per family) and always comes out the same.
 */

const HOUR = 3600;

/** How one OTLP developer works with their agent: drawn once per user from the seed. */
export type AgentProfile = {
  assistant: OtlpAssistant;
  /** Agent turns per hour at full engagement. */
  turnsPerHour: number;
  /** Multiplies every turn's tokens: some people keep larger contexts than others. */
  tokenScale: number;
  /** Turns per session (a Claude Code or Gemini CLI session, a Codex thread). */
  turnsPerSession: number;
  /** Edits the agent proposes per turn. */
  editsPerTurn: number;
  /** Share of the proposed edits the developer accepts. */
  acceptance: number;
  models: ModelUse[];
};

/** The contract metrics each assistant's OTLP metrics feed (sources.ts). */
export const AGENT_METRICS: Record<OtlpAssistant, readonly MetricKey[]> = {
  'claude-code': [
    'suggestions',
    'linesGenerated',
    'timeSaved',
    'tokens',
    'costUsd',
    'sessions',
    'activeSeconds',
    'commits',
    'pullRequests',
  ],
  'gemini-cli': [
    'suggestions',
    'linesGenerated',
    'timeSaved',
    'tokens',
    'costUsd',
    'sessions',
  ],
  codex: ['suggestions', 'tokens', 'costUsd', 'sessions'],
};

/** The order in which series are listed: the contract's. */
const METRIC_ORDER = Object.keys(CONTRACT_METRICS) as MetricKey[];

/** Mean seconds of one turn the developer spends on it (prompting, reviewing), and the agent. */
const USER_SECONDS_PER_TURN = 55;
const AGENT_SECONDS_PER_TURN = 95;
/** Commits per turn, and pull requests per commit. */
const COMMITS_PER_TURN = 0.12;
const PULL_REQUESTS_PER_COMMIT = 0.3;
/**
 * Lines an accepted agent edit adds: 1 + floor(80 · u⁴), from one-line fixes to new files of
 * eighty lines; mean about 16.5.
 */
const EDIT_LINES_RANGE = 80;
const EDIT_LINES_SHAPE = 4;
const EDIT_LINES_MEAN = 1 + EDIT_LINES_RANGE / (EDIT_LINES_SHAPE + 1) - 0.5;
const EDIT_LINES_SD =
  EDIT_LINES_RANGE *
  Math.sqrt(1 / (2 * EDIT_LINES_SHAPE + 1) - 1 / (EDIT_LINES_SHAPE + 1) ** 2);
/** Above this many draws in a step, sums are drawn from their normal approximation. */
const EXACT_SUM_LIMIT = 8;

/** The agent profile of a user who reports over OTLP, `undefined` for the others. */
export function makeAgentProfile(
  user: DemoUser,
  seed: number,
): AgentProfile | undefined {
  const assistant = otlpAssistantOf(user.ref);
  if (!assistant) return undefined;
  const random = createRandom(seed, 'agent-profile', user.name);
  return {
    assistant,
    // Log-normal: a median of 3.5 turns an hour, about 25 on a working day.
    turnsPerHour: Math.exp(random.normal(Math.log(3.5), 0.45)),
    tokenScale: Math.exp(random.normal(0, 0.3)),
    turnsPerSession: 5 + 7 * random.next(),
    editsPerTurn: 0.6 + 0.5 * random.next(),
    acceptance: 0.72 + 0.16 * random.next(),
    models: drawModelUse(random, assistant),
  };
}

/** Sum of n log-normal draws of a mean and variation, rounded. */
function drawSum(random: Random, n: number, mean: number, cv: number): number {
  if (n <= 0) return 0;
  if (n <= EXACT_SUM_LIMIT) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += logNormal(random, mean, cv);
    return Math.round(sum);
  }
  return Math.max(
    0,
    Math.round(random.normal(n * mean, Math.sqrt(n) * mean * cv)),
  );
}

/** Lines added by n accepted edits. */
function drawEditLines(random: Random, n: number): number {
  if (n <= 0) return 0;
  if (n <= EXACT_SUM_LIMIT * 2) {
    let lines = 0;
    for (let i = 0; i < n; i++) {
      lines +=
        1 + Math.floor(EDIT_LINES_RANGE * random.next() ** EDIT_LINES_SHAPE);
    }
    return lines;
  }
  const drawn = Math.round(
    random.normal(n * EDIT_LINES_MEAN, Math.sqrt(n) * EDIT_LINES_SD),
  );
  return Math.min((EDIT_LINES_RANGE + 1) * n, Math.max(n, drawn));
}

/** Splits n among shares that add up to 1 (a multinomial draw). */
function split(random: Random, n: number, shares: number[]): number[] {
  let left = n;
  let rest = 1;
  return shares.map((share, k) => {
    const part =
      k === shares.length - 1
        ? left
        : random.binomial(left, Math.min(1, share / rest));
    left -= part;
    rest -= share;
    return part;
  });
}

/** How many turns of a step use each model. */
function turnsByModel(
  random: Random,
  turns: number,
  models: ModelUse[],
): number[] {
  const alternative = models.find(m => m.kind === 'alternative');
  const onAlternative = alternative
    ? random.binomial(turns, alternative.share)
    : 0;
  return models.map(m => {
    if (m.kind === 'main') return turns - onAlternative;
    if (m.kind === 'alternative') return onAlternative;
    return random.binomial(turns, m.share);
  });
}

/**
 * Plays one OTLP developer's agent over the period: the contract series its assistant feeds,
 * all of them or (with `only`) one metric family's. Cumulative, from the user's first sample.
 */
export function simulateAgent(
  profile: UserProfile,
  agent: AgentProfile,
  userHash: string,
  period: Period,
  seed: number,
  only?: MetricKey,
): UserSeries[] {
  const feeds = AGENT_METRICS[agent.assistant];
  const wants = (metric: MetricKey) =>
    feeds.includes(metric) && (only === undefined || only === metric);
  if (!feeds.some(wants)) return [];

  const name = profile.user.name;
  const { assistant } = agent;
  const periodEnd = period.start + (period.samples - 1) * period.step;
  const span = Math.max(1, periodEnd - period.start);
  const firstSample = firstSampleOf(profile, period);
  const length = Math.max(0, period.samples - firstSample);
  const timeOf = (i: number) => period.start + (firstSample + i) * period.step;

  const series: UserSeries[] = [];
  const counter = (
    metric: MetricKey,
    labels: Record<string, string>,
    scale: ValueScale = 1,
  ): Float64Array => {
    const values = new Float64Array(length);
    if (wants(metric)) {
      series.push({
        metric,
        labels: { user_hash: userHash, ...labels },
        firstSample,
        values,
        scale,
      });
    }
    return values;
  };

  // The driver: the agent's turns in each step, following the user's rhythm.
  const turns = new Float64Array(length);
  const driver = createRandom(seed, 'agent-turns', name);
  for (let i = 1; i < length; i++) {
    const t = timeOf(i);
    const progress = (t - period.start) / span;
    turns[i] = driver.poisson(
      agent.turnsPerHour *
        engagementAt(profile, t, progress) *
        stepRhythm(profile, t, period.step) *
        (period.step / HOUR),
    );
  }

  if (wants('sessions')) {
    const random = createRandom(seed, 'agent-sessions', name);
    const sessions = counter('sessions', { assistant });
    for (let i = 1; i < length; i++) {
      sessions[i] =
        sessions[i - 1] + random.binomial(turns[i], 1 / agent.turnsPerSession);
    }
  }

  if (wants('tokens') || wants('costUsd')) {
    const random = createRandom(seed, 'agent-tokens', name);
    const byModel = agent.models.map(use => {
      const model = DEMO_MODELS[use.model];
      const types = TOKEN_TYPES.filter(
        type => model.tokensPerTurn[type] !== undefined,
      );
      return {
        model,
        tokens: types.map(type => ({
          type,
          mean: model.tokensPerTurn[type]! * agent.tokenScale,
          values: counter('tokens', {
            assistant,
            model: model.model,
            type,
          }),
        })),
        cost: counter('costUsd', { assistant, model: model.model }, 1_000_000),
      };
    });
    for (let i = 1; i < length; i++) {
      const perModel = turnsByModel(random, turns[i], agent.models);
      byModel.forEach(({ model, tokens, cost }, m) => {
        let micros = 0;
        for (const token of tokens) {
          token.values[i] =
            token.values[i - 1] +
            drawSum(random, perModel[m], token.mean, TOKENS_CV);
          micros += token.values[i] * priceOf(model.model, token.type);
        }
        // The cost of the tokens so far, in millionths of a dollar (the price per million
        // tokens is the price of one token in millionths): consistent with the tokens at
        // every sample, and non-decreasing as they are.
        cost[i] = Math.round(micros);
      });
    }
  }

  if (wants('activeSeconds')) {
    const random = createRandom(seed, 'agent-active', name);
    const user = counter('activeSeconds', { assistant, type: 'user' });
    const agentSeconds = counter('activeSeconds', { assistant, type: 'agent' });
    for (let i = 1; i < length; i++) {
      const n = turns[i];
      user[i] =
        user[i - 1] +
        Math.min(period.step, drawSum(random, n, USER_SECONDS_PER_TURN, 0.7));
      agentSeconds[i] =
        agentSeconds[i - 1] +
        Math.min(period.step, drawSum(random, n, AGENT_SECONDS_PER_TURN, 0.8));
    }
  }

  if (wants('commits') || wants('pullRequests')) {
    const random = createRandom(seed, 'agent-git', name);
    const commits = counter('commits', { assistant });
    const pullRequests = counter('pullRequests', { assistant });
    for (let i = 1; i < length; i++) {
      const made = random.binomial(turns[i], COMMITS_PER_TURN);
      commits[i] = commits[i - 1] + made;
      pullRequests[i] =
        pullRequests[i - 1] + random.binomial(made, PULL_REQUESTS_PER_COMMIT);
    }
  }

  if (wants('suggestions') || wants('linesGenerated') || wants('timeSaved')) {
    const random = createRandom(seed, 'agent-edits', name);
    // Claude Code's edit decisions carry the file's language; Gemini CLI's and Codex's do not.
    const languages =
      assistant === 'claude-code'
        ? profile.languages
        : [{ language: UNKNOWN_LANGUAGE, share: 1 }];
    const decisions = languages.map(({ language }) => ({
      accepted: counter('suggestions', {
        language,
        accepted: 'true',
        assistant,
      }),
      rejected: counter('suggestions', {
        language,
        accepted: 'false',
        assistant,
      }),
    }));
    const shares = languages.map(l => l.share);
    const countsLines = feeds.includes('linesGenerated');
    const lines = countsLines
      ? counter('linesGenerated', { language: UNKNOWN_LANGUAGE, assistant })
      : undefined;
    const timeSaved = countsLines
      ? counter('timeSaved', { activity: 'code_generation', assistant }, 10)
      : undefined;
    for (let i = 1; i < length; i++) {
      const progress = (timeOf(i) - period.start) / span;
      const proposed = random.poisson(turns[i] * agent.editsPerTurn);
      const p = Math.min(
        0.97,
        Math.max(0.3, agent.acceptance + learningAt(profile, progress)),
      );
      const ok = random.binomial(proposed, p);
      const acceptedByLanguage = split(random, ok, shares);
      const rejectedByLanguage = split(random, proposed - ok, shares);
      decisions.forEach((d, k) => {
        d.accepted[i] = d.accepted[i - 1] + acceptedByLanguage[k];
        d.rejected[i] = d.rejected[i - 1] + rejectedByLanguage[k];
      });
      if (lines && timeSaved) {
        const added = drawEditLines(random, ok);
        lines[i] = lines[i - 1] + added;
        // The receiver's estimate: lines × seconds per line, here in tenths of a second.
        timeSaved[i] = timeSaved[i - 1] + added * DEFAULT_SECONDS_PER_LINE * 10;
      }
    }
  }

  return series.sort(
    (a, b) => METRIC_ORDER.indexOf(a.metric) - METRIC_ORDER.indexOf(b.metric),
  );
}

function priceOf(model: string, type: TokenType): number {
  return DEMO_PRICES[model]?.[type] ?? 0;
}
