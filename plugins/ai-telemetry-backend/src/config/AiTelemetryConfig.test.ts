import { ConfigReader } from '@backstage/config';
import { readAiTelemetryConfig } from './AiTelemetryConfig';

const valid = {
  prometheus: { baseUrl: 'http://127.0.0.1:9090/' },
  pushgateway: { baseUrl: 'http://127.0.0.1:9091' },
  pseudonymKey: 'a-long-enough-secret-key',
};

function read(aiTelemetry: unknown) {
  return readAiTelemetryConfig(
    new ConfigReader(aiTelemetry === undefined ? {} : ({ aiTelemetry } as any)),
  );
}

describe('readAiTelemetryConfig', () => {
  it('fills in the defaults of docs/operations.md#configuration', () => {
    const config = read(valid);
    expect(config.prometheus).toEqual({
      baseUrl: 'http://127.0.0.1:9090',
      headers: {},
    });
    expect(config.privacy).toEqual({ minGroupSize: 5, retentionDays: 90 });
    expect(config.estimates).toEqual({
      secondsPerLine: 12,
      hourlyCost: 85,
      seatCostPerMonth: 19,
    });
    expect(config.languages).toContain('python');
    expect(config.assistants).toContain('claude-code');
  });

  it('lets only prometheus-scrape read the metrics endpoint by default, and has no demo', () => {
    const config = read(valid);
    expect(config.metrics).toEqual({
      scrapeSubject: 'prometheus-scrape',
      newSeriesZeroSeconds: 60,
    });
    expect(config.ingestion).toEqual({ batchIdRetentionDays: 30 });
    expect(config.demo).toBeUndefined();
  });

  it('runs erasure jobs every 5 s, waits 45 s for scrapes in flight, and retries with backoff', () => {
    expect(read(valid).erasure).toEqual({
      workerIntervalSeconds: 5,
      scrapeGraceSeconds: 45,
      retryBaseSeconds: 5,
      retryMaxSeconds: 300,
      leaseSeconds: 120,
    });
    expect(
      read({ ...valid, erasure: { scrapeGraceSeconds: 3, leaseSeconds: 4 } })
        .erasure,
    ).toMatchObject({ scrapeGraceSeconds: 3, leaseSeconds: 4 });
  });

  it('reads the demo token file and the users the demo leaves alone', () => {
    const config = read({
      ...valid,
      demo: {
        tokenFile: '../../.data/demo-tokens.json',
        excludeUsers: ['user:default/guest'],
      },
    });
    expect(config.demo).toEqual({
      tokenFile: '../../.data/demo-tokens.json',
      excludeUsers: ['user:default/guest'],
    });
  });

  it('always allows other in the label lists', () => {
    expect(read({ ...valid, languages: ['python'] }).languages).toEqual([
      'python',
      'other',
    ]);
  });

  it.each([
    [undefined, /aiTelemetry is missing/],
    [
      { ...valid, pseudonymKey: undefined },
      /aiTelemetry\.pseudonymKey is missing/,
    ],
    [
      { ...valid, pseudonymKey: 'short' },
      /aiTelemetry\.pseudonymKey is too short/,
    ],
    [
      { ...valid, prometheus: { baseUrl: 'not a url' } },
      /aiTelemetry\.prometheus\.baseUrl is not a valid URL/,
    ],
    [
      { ...valid, erasure: { scrapeGraceSeconds: -1 } },
      /aiTelemetry\.erasure\.scrapeGraceSeconds must be a number of at least 0, got -1/,
    ],
    [
      { ...valid, erasure: { retryBaseSeconds: 60, retryMaxSeconds: 10 } },
      /aiTelemetry\.erasure\.retryMaxSeconds must be at least erasure\.retryBaseSeconds \(60\), got 10/,
    ],
    [
      { ...valid, pushgateway: {} },
      /aiTelemetry\.pushgateway\.baseUrl is missing/,
    ],
    [
      { ...valid, privacy: { minGroupSize: 0 } },
      /aiTelemetry\.privacy\.minGroupSize must be an integer of at least 1/,
    ],
    [
      { ...valid, estimates: { secondsPerLine: 'many' } },
      /aiTelemetry\.estimates\.secondsPerLine must be a number/,
    ],
    [
      { ...valid, languages: ['Py thon'] },
      /aiTelemetry\.languages holds "Py thon"/,
    ],
    [
      { ...valid, metrics: { scrapeSubject: 'prometheus scrape' } },
      /aiTelemetry\.metrics\.scrapeSubject must be a subject/,
    ],
    [
      { ...valid, metrics: { newSeriesZeroSeconds: -1 } },
      /aiTelemetry\.metrics\.newSeriesZeroSeconds must be a number of at least 0/,
    ],
    [{ ...valid, demo: {} }, /aiTelemetry\.demo\.tokenFile is missing/],
  ])('refuses %j naming the key', (input, message) => {
    expect(() => read(input)).toThrow(message);
  });
});
