import { ConfigReader } from '@backstage/config';
import { readAiTelemetryConfig } from './AiTelemetryConfig';
import { githubClientFromConfig } from '../github/setUpGithub';

const valid = {
  prometheus: { baseUrl: 'http://127.0.0.1:9090' },
  pushgateway: { baseUrl: 'http://127.0.0.1:9091' },
  pseudonymKey: 'a-long-enough-secret-key',
};

function read(github: unknown, extra: Record<string, unknown> = {}) {
  return readAiTelemetryConfig(
    new ConfigReader({
      aiTelemetry: { ...valid, ...extra, ...(github ? { github } : {}) },
    } as any),
  );
}

describe('aiTelemetry.github', () => {
  it('is off unless configured, and then reads an organisation with the defaults', () => {
    expect(read(undefined).github).toBeUndefined();
    expect(read({ organization: 'fawkes' }).github).toEqual({
      scope: { kind: 'organization', name: 'fawkes' },
      host: 'github.com',
      schedule: {
        frequency: { hours: 1 },
        timeout: { minutes: 30 },
        initialDelay: { minutes: 1 },
      },
      backfillDays: 28,
      sourceOfTruth: 'import',
    });
  });

  it('reads an enterprise, a host, a schedule, the backfill and the source of truth', () => {
    expect(
      read({
        enterprise: 'fawkes-ent',
        host: 'ghe.example.net',
        schedule: {
          frequency: { cron: '15 * * * *' },
          timeout: { minutes: 5 },
        },
        backfillDays: 7,
        sourceOfTruth: 'clients',
      }).github,
    ).toMatchObject({
      scope: { kind: 'enterprise', name: 'fawkes-ent' },
      host: 'ghe.example.net',
      schedule: {
        frequency: { cron: '15 * * * *' },
        timeout: { minutes: 5 },
        initialDelay: { minutes: 1 },
      },
      backfillDays: 7,
      sourceOfTruth: 'clients',
    });
  });

  it('takes the remote-write URL from the config, else from the query URL', () => {
    expect(
      read(undefined, {
        prometheus: {
          baseUrl: 'http://vm:8428',
          remoteWriteUrl:
            'http://vminsert:8480/insert/0/prometheus/api/v1/write',
        },
      }).prometheus.remoteWriteUrl,
    ).toBe('http://vminsert:8480/insert/0/prometheus/api/v1/write');
  });

  it.each([
    [{}, 'aiTelemetry.github needs exactly one of organization and enterprise'],
    [
      { organization: 'a', enterprise: 'b' },
      'aiTelemetry.github needs exactly one of organization and enterprise',
    ],
    [
      { organization: 'not/an-org' },
      'aiTelemetry.github.organization is not a GitHub organisation login',
    ],
    [
      { organization: 'fawkes', backfillDays: 0 },
      'aiTelemetry.github.backfillDays must be an integer of at least 1',
    ],
    [
      { organization: 'fawkes', backfillDays: 400 },
      'aiTelemetry.github.backfillDays must be at most 365',
    ],
    [
      { organization: 'fawkes', sourceOfTruth: 'both' },
      'aiTelemetry.github.sourceOfTruth must be one of import, clients',
    ],
    [
      { organization: 'fawkes', schedule: { frequency: 'often' } },
      'aiTelemetry.github.schedule is not a schedule',
    ],
  ])('refuses %j at start-up, naming the key', (github, message) => {
    expect(() => read(github)).toThrow(message);
  });

  it('needs an integrations.github entry with credentials for its host', () => {
    const settings = read({ organization: 'fawkes', host: 'ghe.example.net' })
      .github!;
    const root = (integrations: unknown) =>
      new ConfigReader({ integrations } as any);
    expect(() => githubClientFromConfig(root({}), settings)).toThrow(
      'aiTelemetry.github.host is ghe.example.net, but integrations.github has no entry for that host',
    );
    expect(() =>
      githubClientFromConfig(
        root({
          github: [
            {
              host: 'ghe.example.net',
              apiBaseUrl: 'https://ghe.example.net/api/v3',
            },
          ],
        }),
        settings,
      ),
    ).toThrow('needs a token or a GitHub App');
    expect(
      githubClientFromConfig(
        root({
          github: [
            {
              host: 'ghe.example.net',
              apiBaseUrl: 'https://ghe.example.net/api/v3',
              token: 'ghp_x',
            },
          ],
        }),
        settings,
      ),
    ).toBeDefined();
  });
});
