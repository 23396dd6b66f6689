import {
  DEFAULT_ASSISTANTS,
  DEFAULT_MODEL_PATTERNS,
  METRIC_LABELS,
  OTLP_METRICS,
  modelLabel,
  modelMatchesPattern,
  normaliseModelName,
} from './contract';

describe('the OTLP-era metrics of the contract', () => {
  it('carry user_hash and assistant, and model/type where they break down by them', () => {
    for (const name of Object.values(OTLP_METRICS)) {
      expect(METRIC_LABELS[name]).toEqual(
        expect.arrayContaining(['user_hash', 'assistant']),
      );
    }
    expect(METRIC_LABELS[OTLP_METRICS.tokens]).toEqual([
      'user_hash',
      'assistant',
      'model',
      'type',
    ]);
    expect(METRIC_LABELS[OTLP_METRICS.costUsd]).toEqual([
      'user_hash',
      'assistant',
      'model',
    ]);
    expect(METRIC_LABELS[OTLP_METRICS.activeSeconds]).toEqual([
      'user_hash',
      'assistant',
      'type',
    ]);
  });

  it('knows the assistants that export OTLP metrics by default', () => {
    expect(DEFAULT_ASSISTANTS).toEqual(
      expect.arrayContaining(['claude-code', 'gemini-cli', 'codex', 'copilot']),
    );
  });
});

describe('model normalisation', () => {
  it('lower-cases and drops a trailing release date', () => {
    expect(normaliseModelName('claude-sonnet-4-5-20250929')).toBe(
      'claude-sonnet-4-5',
    );
    expect(normaliseModelName('Claude-Opus-4-20250514')).toBe('claude-opus-4');
    expect(normaliseModelName(' GPT-5.1-Codex ')).toBe('gpt-5.1-codex');
    // Only an eight-digit date at the very end is a release date.
    expect(normaliseModelName('gemini-2.5-pro')).toBe('gemini-2.5-pro');
    expect(normaliseModelName('o4-mini-2025')).toBe('o4-mini-2025');
  });

  it('gives up on empty, over-long or odd names', () => {
    expect(normaliseModelName(undefined)).toBeUndefined();
    expect(normaliseModelName('  ')).toBeUndefined();
    expect(normaliseModelName('a'.repeat(65))).toBeUndefined();
    expect(normaliseModelName('claude"} or up{x="')).toBeUndefined();
    expect(normaliseModelName('my model')).toBeUndefined();
  });

  it('bounds the label by the allow-list of patterns, anything else being other', () => {
    expect(DEFAULT_MODEL_PATTERNS).toEqual([
      'claude-*',
      'gpt-*',
      'gemini-*',
      'o*',
    ]);
    expect(modelLabel('claude-sonnet-4-5-20250929')).toBe('claude-sonnet-4-5');
    expect(modelLabel('gpt-5.1')).toBe('gpt-5.1');
    expect(modelLabel('gemini-2.5-flash')).toBe('gemini-2.5-flash');
    expect(modelLabel('o3')).toBe('o3');
    expect(modelLabel('o4-mini')).toBe('o4-mini');
    expect(modelLabel('llama-3.1-70b')).toBe('other');
    expect(modelLabel('claude')).toBe('other');
    expect(modelLabel(undefined)).toBe('other');
    expect(modelLabel('other')).toBe('other');
    expect(modelLabel('llama-3.1-70b', ['llama-*'])).toBe('llama-3.1-70b');
    expect(modelLabel('gpt-5', ['claude-*'])).toBe('other');
  });

  it('matches patterns literally apart from the star', () => {
    expect(modelMatchesPattern('gpt-5.1', 'gpt-5.1')).toBe(true);
    expect(modelMatchesPattern('gpt-5x1', 'gpt-5.1')).toBe(false);
    expect(modelMatchesPattern('claude-x', 'claude-*')).toBe(true);
    expect(modelMatchesPattern('xclaude-x', 'claude-*')).toBe(false);
    expect(modelMatchesPattern('anything', '*')).toBe(true);
  });
});
