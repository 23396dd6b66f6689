import SwaggerParser from '@apidevtools/swagger-parser';
import { TestDatabases } from '@backstage/backend-test-utils';
import {
  ACTIVITIES,
  AUDIT_ACTIONS,
  BATCH_ID_PATTERN,
  DASHBOARD_RANGES,
  ERASURE_STEPS,
  FEATURES,
  FILTER_NAMES,
  INGEST_LIMITS,
  LABEL_VALUE_PATTERN,
  MY_DATA_FORMATS,
  PANEL_IDS,
  PSEUDONYM_PATTERN,
} from '@fawkes/plugin-ai-telemetry-common';
import { readFileSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';
import { createRouter, RouterOptions } from '../router';
import { listRoutes } from '../__testUtils__/routes';
import {
  startAiTelemetryTestBackend,
  userAuthorization,
} from '../__testUtils__/testBackend';
import { spec } from './openapi.generated';

type Operation = { description?: string; security?: unknown[] };
type Schema = Record<string, unknown>;
type Document = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};

/** The spec as generated, copied before any router has used it. */
const generated = structuredClone(spec) as unknown as Document;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** `GET /v1/panels/:id` for each operation of the spec. */
function documentedRoutes(doc: Document): string[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter(method => HTTP_METHODS.includes(method))
      .map(
        method =>
          `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`,
      ),
  );
}

describe('the OpenAPI spec', () => {
  it('is openapi.yaml, as `yarn generate:openapi` writes it into openapi.generated.ts', () => {
    const yaml = parse(readFileSync(join(__dirname, 'openapi.yaml'), 'utf8'));
    expect(generated).toEqual(yaml);
  });

  it('is valid OpenAPI', async () => {
    await expect(
      SwaggerParser.validate(
        structuredClone(generated) as unknown as SwaggerParser['api'],
      ),
    ).resolves.toBeDefined();
  });

  it('documents every route of the router, and no route the router lacks', async () => {
    // Listing routes only: the services are never called.
    const stubs = new Proxy({}, { get: () => ({}) }) as RouterOptions;
    const routes = listRoutes(await createRouter(stubs)).map(
      r => `${r.method} ${r.path}`,
    );
    // The tooling's own route, which serves this spec.
    expect(routes).toContain('GET /openapi.json');
    expect(routes.filter(r => r !== 'GET /openapi.json').sort()).toEqual(
      documentedRoutes(generated).sort(),
    );
  });

  it("names each operation's credentials and permission", () => {
    for (const item of Object.values(generated.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (!HTTP_METHODS.includes(method)) continue;
        expect(operation.security).toBeDefined();
        expect(operation.description).toMatch(/Permission/);
      }
    }
  });

  it("uses the common package's vocabulary and limits", () => {
    const schemas = generated.components.schemas;
    const enumOf = (name: string) => schemas[name].enum;
    const property = (name: string, prop: string) =>
      (schemas[name].properties as Record<string, Schema>)[prop];

    expect(enumOf('PanelId')).toEqual(PANEL_IDS);
    expect(enumOf('DashboardRange')).toEqual(DASHBOARD_RANGES);
    expect(enumOf('FilterName')).toEqual(FILTER_NAMES);
    expect(enumOf('Feature')).toEqual(FEATURES);
    expect(enumOf('Activity')).toEqual(ACTIVITIES);
    expect(enumOf('ErasureStepName')).toEqual(ERASURE_STEPS);
    expect(enumOf('AuditAction')).toEqual(AUDIT_ACTIONS);
    expect(enumOf('MyDataExportFormat')).toEqual(MY_DATA_FORMATS);
    expect(schemas.LabelValue.pattern).toBe(LABEL_VALUE_PATTERN.source);
    expect(property('IngestEventsRequest', 'batchId').pattern).toBe(
      BATCH_ID_PATTERN.source,
    );
    expect(property('MeResponse', 'userHash').pattern).toBe(
      PSEUDONYM_PATTERN.source,
    );
    expect(property('IngestEventsRequest', 'events').maxItems).toBe(
      INGEST_LIMITS.maxEventsPerBatch,
    );
    expect(schemas.EventCount.maximum).toBe(INGEST_LIMITS.maxCount);
    expect(property('SuggestionEvent', 'lines').maximum).toBe(
      INGEST_LIMITS.maxLines,
    );
    expect(property('SuggestionEvent', 'waitMs').maximum).toBe(
      INGEST_LIMITS.maxWaitMs,
    );
    expect(property('TimeSavedEvent', 'seconds').maximum).toBe(
      INGEST_LIMITS.maxSeconds,
    );
  });
});

describe('the validated router', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  const JANE = 'user:default/jane.doe';

  it('serves the spec at /openapi.json, with the paths under the plugin', async () => {
    const { api } = await startAiTelemetryTestBackend(databases);

    const res = await api
      .get('/api/ai-telemetry/openapi.json')
      .set('Authorization', userAuthorization(JANE));

    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths).sort()).toEqual(
      Object.keys(generated.paths)
        .map(path => `/api/ai-telemetry${path}`)
        .sort(),
    );
  });

  it('refuses a request the spec does not allow before a route sees it, naming the field', async () => {
    const { api } = await startAiTelemetryTestBackend(databases);
    const asJane = (path: string) =>
      api.get(path).set('Authorization', userAuthorization(JANE));

    const unknown = await asJane('/api/ai-telemetry/v1/me?user=john');
    const tooMany = await asJane('/api/ai-telemetry/v1/admin/audit?limit=5000');
    const noRef = await api
      .post('/api/ai-telemetry/v1/admin/erasure')
      .set('Authorization', userAuthorization(JANE))
      .send({ reason: 'request by mail' });

    expect([unknown.status, unknown.body.error.name]).toEqual([
      400,
      'InputError',
    ]);
    expect(unknown.body.error.message).toMatch(/'user'/);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.message).toMatch(/request\/query\/limit/);
    expect(noRef.status).toBe(400);
    expect(noRef.body.error.message).toMatch(/request\/body .*userEntityRef/);
  });

  it("keeps each route's own body limit and messages", async () => {
    const { api } = await startAiTelemetryTestBackend(databases);
    const optIn = () =>
      api
        .put('/api/ai-telemetry/v1/me/opt-in')
        .set('Authorization', userAuthorization(JANE));

    const tooLarge = await optIn().send({
      enabled: true,
      padding: 'x'.repeat(5000),
    });
    const notJson = await optIn()
      .set('Content-Type', 'text/plain')
      .send('enabled=true');

    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.message).toMatch(
      /over the limit of 4096 bytes: the body is \{ "enabled": true \}/,
    );
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.message).toMatch(
      /must be JSON sent with Content-Type: application\/json \(got text\/plain\)/,
    );
  });
});
