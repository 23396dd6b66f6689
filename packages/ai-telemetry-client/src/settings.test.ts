import {
  DEFAULT_LANGUAGES,
  INGEST_LIMITS,
} from '@fawkes/plugin-ai-telemetry-common';
import os from 'node:os';
import path from 'node:path';
import { readClientSettings } from './settings';

describe('readClientSettings', () => {
  it('is off, without endpoint or token, unless the environment says otherwise', () => {
    expect(readClientSettings({ env: {} })).toMatchObject({
      enabled: false,
      endpoint: undefined,
      token: undefined,
      queueDir: path.join(os.homedir(), '.fawkes', 'ai-telemetry', 'queue'),
      languages: DEFAULT_LANGUAGES,
      maxBatchEvents: INGEST_LIMITS.maxEventsPerBatch,
      maxBatchBytes: INGEST_LIMITS.maxBatchBytes,
    });
  });

  it('reads the four environment variables, and options win over them', () => {
    const env = {
      FAWKES_AI_TELEMETRY: 'enabled',
      FAWKES_AI_TELEMETRY_ENDPOINT: 'http://localhost:7007/api/ai-telemetry/',
      FAWKES_AI_TELEMETRY_TOKEN: ' fat_abc ',
      FAWKES_AI_TELEMETRY_QUEUE_DIR: '/tmp/fawkes-q',
    };
    expect(readClientSettings({ env })).toMatchObject({
      enabled: true,
      endpoint: 'http://localhost:7007/api/ai-telemetry',
      token: 'fat_abc',
      queueDir: '/tmp/fawkes-q',
    });
    expect(
      readClientSettings({ env, enabled: false, token: 'fat_other' }),
    ).toMatchObject({ enabled: false, token: 'fat_other' });
  });

  it('names the setting that is wrong', () => {
    expect(() =>
      readClientSettings({ env: {}, endpoint: 'localhost:7007' }),
    ).toThrow(/FAWKES_AI_TELEMETRY_ENDPOINT must be an http or https URL/);
    expect(() =>
      readClientSettings({ env: {}, endpoint: 'not a url' }),
    ).toThrow(/FAWKES_AI_TELEMETRY_ENDPOINT must be a URL/);
    expect(() => readClientSettings({ env: {}, maxBatchEvents: 5000 })).toThrow(
      /maxBatchEvents must be an integer from 1 to 1000/,
    );
  });
});
