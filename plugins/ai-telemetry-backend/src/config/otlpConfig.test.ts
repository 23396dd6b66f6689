import { ConfigReader } from '@backstage/config';
import { readAiTelemetryConfig } from './AiTelemetryConfig';

const valid = {
  prometheus: { baseUrl: 'http://127.0.0.1:9090/' },
  pushgateway: { baseUrl: 'http://127.0.0.1:9091' },
  pseudonymKey: 'a-long-enough-secret-key',
};

function read(extra: Record<string, unknown>) {
  return readAiTelemetryConfig(
    new ConfigReader({ aiTelemetry: { ...valid, ...extra } } as any),
  );
}

describe('the OTLP settings of readAiTelemetryConfig', () => {
  it('defaults to the design’s model patterns, no prices, and a week of stream state', () => {
    const config = read({});
    expect(config.models).toEqual(['claude-*', 'gpt-*', 'gemini-*', 'o*']);
    expect(config.pricing).toEqual([]);
    expect(config.otlp).toEqual({ streamRetentionDays: 7 });
    expect(config.assistants).toEqual(
      expect.arrayContaining(['claude-code', 'gemini-cli', 'codex', 'copilot']),
    );
  });

  it('reads model patterns and prices per million tokens', () => {
    const config = read({
      models: ['claude-*', 'llama-3*'],
      pricing: [
        { model: 'gemini-2.5-pro', input: 1.25, output: 10, cacheRead: 0.31 },
        { model: 'gpt-5*', input: 1.25, output: 10, reasoning: 10 },
      ],
      otlp: { streamRetentionDays: 2 },
    });
    expect(config.models).toEqual(['claude-*', 'llama-3*']);
    expect(config.pricing).toEqual([
      { model: 'gemini-2.5-pro', input: 1.25, output: 10, cacheRead: 0.31 },
      { model: 'gpt-5*', input: 1.25, output: 10, reasoning: 10 },
    ]);
    expect(config.otlp.streamRetentionDays).toBe(2);
  });

  it.each([
    [{ models: 'claude-*' }, /aiTelemetry\.models must be a list/],
    [{ models: ['Claude-*'] }, /aiTelemetry\.models holds "Claude-\*"/],
    [
      { models: ['claude sonnet'] },
      /aiTelemetry\.models holds "claude sonnet"/,
    ],
    [{ pricing: { 'gpt-5': 1 } }, /aiTelemetry\.pricing must be a list/],
    [{ pricing: [{ input: 1 }] }, /aiTelemetry\.pricing\[0\]\.model must be/],
    [
      { pricing: [{ model: 'gpt-5', input: -1 }] },
      /aiTelemetry\.pricing\[0\]\.input must be a number of at least 0/,
    ],
    [
      { pricing: [{ model: 'gpt-5', input: 'cheap' }] },
      /aiTelemetry\.pricing\[0\]\.input must be a number/,
    ],
    [
      { pricing: [{ model: 'gpt-5', inputs: 1 }] },
      /aiTelemetry\.pricing\[0\]\.inputs is not a price/,
    ],
    [
      { pricing: [{ model: 'gpt-5' }] },
      /aiTelemetry\.pricing\[0\] gives no price for gpt-5/,
    ],
    [
      { otlp: { streamRetentionDays: 0 } },
      /aiTelemetry\.otlp\.streamRetentionDays must be an integer of at least 1/,
    ],
  ])('refuses %j, naming the key', (extra, message) => {
    expect(() => read(extra)).toThrow(message);
  });
});
