import { TokenType } from '@fawkes/plugin-ai-telemetry-common';
import { GUEST_USER_NAME } from './org';
import { createRandom, Random } from './random';

/**
 * The demo's developers who use an assistant that reports its own OpenTelemetry metrics: who
 * they are, which assistant and models they use, and what those models cost. Shared by the
 * history (`generate`) and the live trickle, so that the same developers report over OTLP in
 * both.
 */

/** The assistants the demo's OTLP developers use, as the `assistant` label spells them. */
export const OTLP_ASSISTANTS = ['claude-code', 'gemini-cli', 'codex'] as const;
export type OtlpAssistant = (typeof OTLP_ASSISTANTS)[number];

/** About this share of the developers reports over OTLP. */
export const OTLP_SHARE = 0.4;

/** Among them, half use Claude Code, a quarter each Gemini CLI and Codex. */
const OTLP_ASSISTANT_WEIGHTS: Record<OtlpAssistant, number> = {
  'claude-code': 2,
  'gemini-cli': 1,
  codex: 1,
};

/** The portal's guest sign-in: an OTLP developer (Claude Code), so that its own page shows them. */
export const GUEST_REF = `user:default/${GUEST_USER_NAME}`;

/**
 * The assistant a developer reports OTLP metrics from, or `undefined` for one who reports
 * through the IDE client only. A function of the user entity ref alone (not of the seed), so
 * that the history and the trickle agree whatever seeds they run with: about
 * {@link OTLP_SHARE} of the developers, and always the guest.
 */
export function otlpAssistantOf(userRef: string): OtlpAssistant | undefined {
  const ref = userRef.trim().toLowerCase();
  if (ref === GUEST_REF) return 'claude-code';
  const random = createRandom('otlp-developer', ref);
  if (!random.chance(OTLP_SHARE)) return undefined;
  return random.weighted(OTLP_ASSISTANTS, a => OTLP_ASSISTANT_WEIGHTS[a]);
}

/** A model the demo's assistants use. */
export type DemoModel = {
  /** The `model` label: normalised, and within the contract's DEFAULT_MODEL_PATTERNS. */
  model: string;
  /** The name as the assistant reports it (Claude Code adds the release date). */
  reported: string;
  /** Mean tokens of each type in one agent turn that uses the model. */
  tokensPerTurn: Partial<Record<TokenType, number>>;
};

/**
 * The demo's models and their tokens per turn: Claude Code reads most of its context from the
 * prompt cache and uses Haiku for small side tasks; Gemini CLI sends large inputs and thinks;
 * Codex reads cached input and reasons.
 */
export const DEMO_MODELS: Record<string, DemoModel> = {
  'claude-sonnet-4-5': {
    model: 'claude-sonnet-4-5',
    reported: 'claude-sonnet-4-5-20250929',
    tokensPerTurn: {
      input: 2_500,
      output: 2_800,
      cache_read: 260_000,
      cache_creation: 14_000,
    },
  },
  'claude-haiku-4-5': {
    model: 'claude-haiku-4-5',
    reported: 'claude-haiku-4-5-20251001',
    tokensPerTurn: { input: 4_500, output: 350 },
  },
  'gemini-2.5-pro': {
    model: 'gemini-2.5-pro',
    reported: 'gemini-2.5-pro',
    tokensPerTurn: {
      input: 42_000,
      output: 1_400,
      cache_read: 55_000,
      reasoning: 2_200,
    },
  },
  'gemini-2.5-flash': {
    model: 'gemini-2.5-flash',
    reported: 'gemini-2.5-flash',
    tokensPerTurn: { input: 9_000, output: 500 },
  },
  'gpt-5-codex': {
    model: 'gpt-5-codex',
    reported: 'gpt-5-codex',
    tokensPerTurn: {
      input: 22_000,
      output: 1_800,
      cache_read: 140_000,
      reasoning: 2_600,
    },
  },
  'gpt-5': {
    model: 'gpt-5',
    reported: 'gpt-5',
    tokensPerTurn: {
      input: 18_000,
      output: 1_500,
      cache_read: 90_000,
      reasoning: 3_500,
    },
  },
};

/**
 * List prices in US dollars per million tokens (late 2025), by model and token type. The
 * history's `ai_copilot_cost_usd_total` is tokens times these; Claude Code reports the same
 * figure itself, and for Gemini CLI and Codex they are what `aiTelemetry.pricing` would hold.
 */
export const DEMO_PRICES: Record<string, Partial<Record<TokenType, number>>> = {
  'claude-sonnet-4-5': {
    input: 3,
    output: 15,
    cache_read: 0.3,
    cache_creation: 3.75,
  },
  'claude-haiku-4-5': {
    input: 1,
    output: 5,
    cache_read: 0.1,
    cache_creation: 1.25,
  },
  'gemini-2.5-pro': {
    input: 1.25,
    output: 10,
    cache_read: 0.31,
    reasoning: 10,
  },
  'gemini-2.5-flash': {
    input: 0.3,
    output: 2.5,
    cache_read: 0.075,
    reasoning: 2.5,
  },
  'gpt-5-codex': {
    input: 1.25,
    output: 10,
    cache_read: 0.125,
    reasoning: 10,
  },
  'gpt-5': { input: 1.25, output: 10, cache_read: 0.125, reasoning: 10 },
};

/** The cost in US dollars of `tokens` tokens of a type of a model (0 without a price). */
export function tokenCostUsd(
  model: string,
  type: TokenType,
  tokens: number,
): number {
  return (tokens * (DEMO_PRICES[model]?.[type] ?? 0)) / 1_000_000;
}

/**
 * How a developer uses the models of an assistant: the main model in every turn but those of an
 * alternative one; a helper model in a share of the turns besides.
 */
export type ModelUse = {
  model: string;
  kind: 'main' | 'alternative' | 'helper';
  /** Share of the turns that use it (for the main model: those the alternative leaves). */
  share: number;
};

/** Draws which models of the assistant a developer uses. */
export function drawModelUse(
  random: Random,
  assistant: OtlpAssistant,
): ModelUse[] {
  switch (assistant) {
    case 'claude-code':
      return [
        { model: 'claude-sonnet-4-5', kind: 'main', share: 1 },
        {
          model: 'claude-haiku-4-5',
          kind: 'helper',
          share: 0.5 + 0.4 * random.next(),
        },
      ];
    case 'gemini-cli':
      return [
        { model: 'gemini-2.5-pro', kind: 'main', share: 1 },
        {
          model: 'gemini-2.5-flash',
          kind: 'helper',
          share: 0.2 + 0.3 * random.next(),
        },
      ];
    case 'codex':
    default: {
      if (!random.chance(0.3)) {
        return [{ model: 'gpt-5-codex', kind: 'main', share: 1 }];
      }
      const alternative = 0.15 + 0.25 * random.next();
      return [
        { model: 'gpt-5-codex', kind: 'main', share: 1 - alternative },
        { model: 'gpt-5', kind: 'alternative', share: alternative },
      ];
    }
  }
}

/** A log-normally distributed value with the given mean and coefficient of variation. */
export function logNormal(random: Random, mean: number, cv: number): number {
  const sigma2 = Math.log(1 + cv * cv);
  return Math.exp(
    random.normal(Math.log(mean) - sigma2 / 2, Math.sqrt(sigma2)),
  );
}

/** How much one turn's token counts vary around their mean. */
export const TOKENS_CV = 0.8;
