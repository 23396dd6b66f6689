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
      remoteWriteUrl: 'http://127.0.0.1:9090/api/v1/write',
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

  it('limits each developer, user and raw query, by default far above real use', () => {
    expect(read(valid).limits).toEqual({
      ingestion: { eventsPerMinute: 1000, otlpPointsPerMinute: 10_000 },
      portal: { requestsPerMinute: 600 },
      rawQueries: { concurrent: 2, timeoutSeconds: 10 },
    });
    expect(
      read({
        ...valid,
        limits: {
          ingestion: { eventsPerMinute: 100 },
          rawQueries: { timeoutSeconds: 2.5 },
        },
      }).limits,
    ).toEqual({
      ingestion: { eventsPerMinute: 100, otlpPointsPerMinute: 10_000 },
      portal: { requestsPerMinute: 600 },
      rawQueries: { concurrent: 2, timeoutSeconds: 2.5 },
    });
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

  it("announces new data to open pages after deploy/prometheus's 30 s scrapes, at most every 5 s", () => {
    expect(read(valid).live).toEqual({
      scrapeIntervalSeconds: 30,
      signalIntervalSeconds: 5,
    });
    expect(
      read({
        ...valid,
        live: { scrapeIntervalSeconds: 5, signalIntervalSeconds: 2 },
      }).live,
    ).toEqual({ scrapeIntervalSeconds: 5, signalIntervalSeconds: 2 });
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
    [
      { ...valid, live: { signalIntervalSeconds: 0 } },
      /aiTelemetry\.live\.signalIntervalSeconds must be a number of at least 1, got 0/,
    ],
    [
      { ...valid, live: { scrapeIntervalSeconds: '30s' } },
      /aiTelemetry\.live\.scrapeIntervalSeconds must be a number/,
    ],
    [{ ...valid, demo: {} }, /aiTelemetry\.demo\.tokenFile is missing/],
    [
      { ...valid, limits: { ingestion: { eventsPerMinute: 99 } } },
      /aiTelemetry\.limits\.ingestion\.eventsPerMinute must be an integer of at least 100, got 99/,
    ],
    [
      { ...valid, limits: { ingestion: { otlpPointsPerMinute: 0 } } },
      /aiTelemetry\.limits\.ingestion\.otlpPointsPerMinute must be an integer of at least 1, got 0/,
    ],
    [
      { ...valid, limits: { portal: { requestsPerMinute: 'lots' } } },
      /aiTelemetry\.limits\.portal\.requestsPerMinute must be a number/,
    ],
    [
      { ...valid, limits: { rawQueries: { concurrent: 1.5 } } },
      /aiTelemetry\.limits\.rawQueries\.concurrent must be an integer of at least 1, got 1\.5/,
    ],
    [
      { ...valid, limits: { rawQueries: { timeoutSeconds: 0 } } },
      /aiTelemetry\.limits\.rawQueries\.timeoutSeconds must be a number of at least 1, got 0/,
    ],
  ])('refuses %j naming the key', (input, message) => {
    expect(() => read(input)).toThrow(message);
  });
});
