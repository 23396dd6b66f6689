/**
 * The receiver driven by the official OpenTelemetry JS SDK (@opentelemetry/sdk-metrics with the
 * OTLP/HTTP protobuf and JSON exporters), recording Claude Code's documented metrics as Claude
 * Code does (__testUtils__/claudeCodeRecording.ts): meter `com.anthropic.claude_code`, resource
 * `service.name=claude-code`, every documented attribute, and the standard ones the contract
 * drops (e-mail, account and organisation ids, session id). The SDK runs in its own Node
 * process against a test backend; the totals are then read back from the metrics endpoint.
 */
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { execFile } from 'child_process';
import { AddressInfo } from 'net';
import { join } from 'path';
import request from 'supertest';
import {
  TEST_AI_TELEMETRY_CONFIG,
  optIn,
  serviceAuthorization,
} from '../__testUtils__/testBackend';
import { aiTelemetryPlugin } from '../plugin';
import {
  EXPECTED_SERIES,
  EXPORT_VARIANTS,
  ExportVariant,
  IDENTIFYING_VALUES,
} from './__testUtils__/claudeCodeRecording';
import { servedSeries } from './__testUtils__/otlpRequests';

jest.setTimeout(120_000);

const JANE = 'user:default/jane.doe';

/** Runs __testUtils__/exportClaudeCode.ts under tsx; resolves with its report. */
function exportWithTheSdk(
  variant: ExportVariant,
  baseUrl: string,
  token: string,
): Promise<{ exports: number; failures: string[] }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [
        '--import',
        'tsx',
        join(__dirname, '__testUtils__', 'exportClaudeCode.ts'),
      ],
      {
        cwd: join(__dirname, '..', '..'),
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          OTLP_TEST_VARIANT: variant,
          OTLP_TEST_BASE_URL: baseUrl,
          OTLP_TEST_TOKEN: token,
        },
        timeout: 90_000,
      },
      (error, stdout, stderr) => {
        if (error) {
          reject(
            new Error(
              `the SDK run failed: ${error.message}\n${stdout}${stderr}`,
            ),
          );
        } else {
          resolve(JSON.parse(stdout.trim().split('\n').at(-1)!));
        }
      },
    );
  });
}

describe.each(Object.keys(EXPORT_VARIANTS) as ExportVariant[])(
  'Claude Code over OTLP with the OpenTelemetry SDK: %s',
  variant => {
    const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

    it('serves exactly what was recorded, and nothing that identifies anyone', async () => {
      const knex = await databases.init('SQLITE_3');
      const { server } = await startTestBackend({
        features: [
          aiTelemetryPlugin,
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              aiTelemetry: {
                ...TEST_AI_TELEMETRY_CONFIG,
                metrics: { newSeriesZeroSeconds: 0 },
              },
            },
          }),
        ],
      });
      const api = request(server);
      const { port } = server.address() as AddressInfo;
      const token = await optIn(api, JANE);

      const report = await exportWithTheSdk(
        variant,
        `http://127.0.0.1:${port}`,
        token,
      );

      expect(report.failures).toEqual([]);
      expect(report.exports).toBeGreaterThanOrEqual(3);
      expect(await servedSeries(api)).toEqual(EXPECTED_SERIES);

      // Lines removed are not counted, and the backend's own metrics say so.
      const scrape = await api
        .get('/api/ai-telemetry/v1/metrics')
        .set('Authorization', serviceAuthorization('prometheus-scrape'));
      expect(scrape.text).toMatch(
        /^ai_telemetry_otlp_points_dropped_total\{reason="not_counted"\} [1-9]\d*$/m,
      );

      // Nothing that identifies anyone arrived anywhere: in no row of any table, not on the
      // metrics endpoint.
      const tables = (
        await knex('sqlite_master').where({ type: 'table' }).select('name')
      ).map(row => row.name as string);
      expect(tables).toEqual(
        expect.arrayContaining(['otlp_streams', 'counters']),
      );
      const rows = JSON.stringify(
        await Promise.all(tables.map(table => knex(table).select())),
      );
      for (const value of IDENTIFYING_VALUES) {
        expect({ value, inDatabase: rows.includes(value) }).toEqual({
          value,
          inDatabase: false,
        });
        expect({ value, onEndpoint: scrape.text.includes(value) }).toEqual({
          value,
          onEndpoint: false,
        });
      }
      // The streams are there, known by keyed hashes only.
      const streams = await knex('otlp_streams').select('stream_id');
      expect(streams.length).toBeGreaterThan(0);
      for (const { stream_id } of streams) {
        expect(stream_id).toMatch(/^[0-9a-f]{64}$/);
      }
    });
  },
);
