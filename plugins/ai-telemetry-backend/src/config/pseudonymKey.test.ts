import { ConfigReader } from '@backstage/config';
import { ConfigSources, FileConfigSource } from '@backstage/config-loader';
import { resolve } from 'path';
import {
  DEVELOPMENT_PSEUDONYM_KEY,
  readAiTelemetryConfig,
} from './AiTelemetryConfig';

const repoRoot = resolve(__dirname, '../../../..');

/** The portal's config files as `yarn start` or the production image reads them. */
async function portalConfig(files: string[], env: Record<string, string>) {
  const source = ConfigSources.merge(
    files.map(file =>
      FileConfigSource.create({
        path: resolve(repoRoot, file),
        watch: false,
        substitutionFunc: async name => env[name],
      }),
    ),
  );
  const config = await ConfigSources.toConfig(source);
  config.close();
  return config;
}

const upstreams = {
  AI_TELEMETRY_PROMETHEUS_URL: 'http://127.0.0.1:9090',
  AI_TELEMETRY_PUSHGATEWAY_URL: 'http://127.0.0.1:9091',
};

function withKey(pseudonymKey: string) {
  return new ConfigReader({
    aiTelemetry: {
      prometheus: { baseUrl: 'http://127.0.0.1:9090' },
      pushgateway: { baseUrl: 'http://127.0.0.1:9091' },
      pseudonymKey,
    },
  });
}

describe('the pseudonym key outside development', () => {
  it('is the one app-config.yaml sets for development', async () => {
    const config = await portalConfig(['app-config.yaml'], {});
    expect(config.getString('aiTelemetry.pseudonymKey')).toBe(
      DEVELOPMENT_PSEUDONYM_KEY,
    );
    expect(() =>
      readAiTelemetryConfig(config, { nodeEnv: 'development' }),
    ).not.toThrow();
  });

  it('stops a production start that would fall back to the development key', async () => {
    // AI_TELEMETRY_PSEUDONYM_KEY unset: the production file's ${…} yields nothing, and the
    // merged config would keep app-config.yaml's public key.
    const config = await portalConfig(
      ['app-config.yaml', 'app-config.production.yaml'],
      upstreams,
    );
    expect(() =>
      readAiTelemetryConfig(config, { nodeEnv: 'production' }),
    ).toThrow(
      /^Invalid configuration: aiTelemetry\.pseudonymKey is the public development key/,
    );
  });

  it('starts in production with a secret of its own', async () => {
    const secret = 'f'.repeat(64);
    const config = await portalConfig(
      ['app-config.yaml', 'app-config.production.yaml'],
      { ...upstreams, AI_TELEMETRY_PSEUDONYM_KEY: secret },
    );
    expect(
      readAiTelemetryConfig(config, { nodeEnv: 'production' }).pseudonymKey,
    ).toBe(secret);
  });

  it.each([['production'], ['staging'], [undefined]])(
    'refuses a key shorter than 32 characters when NODE_ENV is %s',
    nodeEnv => {
      expect(() =>
        readAiTelemetryConfig(withKey('a'.repeat(31)), { nodeEnv }),
      ).toThrow(/aiTelemetry\.pseudonymKey is too short .*32 characters/);
      expect(() =>
        readAiTelemetryConfig(withKey('a'.repeat(32)), { nodeEnv }),
      ).not.toThrow();
    },
  );

  it('refuses the development key whatever else is set, outside development', () => {
    expect(() =>
      readAiTelemetryConfig(withKey(DEVELOPMENT_PSEUDONYM_KEY), {
        nodeEnv: 'production',
      }),
    ).toThrow(/aiTelemetry\.pseudonymKey is the public development key/);
  });
});
