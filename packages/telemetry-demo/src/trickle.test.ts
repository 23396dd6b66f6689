import { StubEventsServer } from '@fawkes/ai-telemetry-test-utils';
import {
  modelLabel,
  OTHER,
  TokenType,
} from '@fawkes/plugin-ai-telemetry-common';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StandInBackend } from './__testUtils__/standInBackend';
import {
  DEMO_MODELS,
  DEMO_PRICES,
  GUEST_REF,
  OTLP_ASSISTANTS,
  OtlpAssistant,
  otlpAssistantOf,
} from './otlpDevelopers';
import {
  OTLP_EXPORT,
  OTLP_METRIC_NAMES,
  OtlpDeveloper,
  otlpMetricsUrl,
} from './otlpTrickle';
import { createRandom } from './random';
import { EXIT, runTrickle, TrickleIo } from './trickle';

describe('trickle', () => {
  let stub: StubEventsServer;
  let dir: string;

  beforeEach(async () => {
    stub = await new StubEventsServer().start();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fawkes-trickle-'));
  });

  afterEach(async () => {
    await stub.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('sends events for the users of the tokens file with their own tokens until stopped', async () => {
    const tokensFile = path.join(dir, 'demo-tokens.json');
    const tokens = {
      'user:default/ada': 'fat_ada',
      'user:default/grace': 'fat_grace',
    };
    await fs.writeFile(tokensFile, JSON.stringify(tokens));
    const out: string[] = [];
    let stop: () => void = () => {};
    const io: TrickleIo = {
      out: line => {
        out.push(line);
        // Stop once two ticks have been sent, as Ctrl-C would.
        if (line.startsWith('demo-trickle: tick 2:')) {
          stop();
        }
      },
      err: () => {},
      env: { FAWKES_AI_TELEMETRY_ENDPOINT: stub.url },
      onSignal: handler => {
        stop = handler;
        return () => {};
      },
    };

    const code = await runTrickle(
      ['--tokens', tokensFile, '--interval', '100ms', '--seed', '3'],
      io,
    );

    expect(code).toBe(EXIT.ok);
    expect(out[0]).toMatch(/2 developer\(s\) → .* seed 3/);
    expect(out[out.length - 1]).toMatch(/stopped after 2 tick\(s\)/);
    const recorded = Number(/recorded (\d+)/.exec(out[out.length - 1])![1]);
    expect(recorded).toBeGreaterThan(0);
    expect(stub.countedEvents).toBe(recorded);
    const used = new Set(stub.requests.map(r => r.authorization));
    for (const value of used) {
      expect(['Bearer fat_ada', 'Bearer fat_grace']).toContain(value);
    }
  });

  it('fails clearly when the tokens file does not appear', async () => {
    const err: string[] = [];
    const code = await runTrickle(
      ['--tokens', path.join(dir, 'missing.json'), '--wait-for-tokens', '0s'],
      {
        out: () => {},
        err: line => err.push(line),
        env: {},
        onSignal: () => () => {},
      },
    );

    expect(code).toBe(EXIT.failed);
    expect(err.join('\n')).toMatch(/missing\.json did not appear/);
  });

  it('takes relative paths from where yarn was run, and refuses a bad command line', async () => {
    const err: string[] = [];
    const io: TrickleIo = {
      out: () => {},
      err: line => err.push(line),
      env: { PROJECT_CWD: dir },
      onSignal: () => () => {},
    };

    expect(
      await runTrickle(
        ['--tokens', 'missing.json', '--wait-for-tokens', '0s'],
        io,
      ),
    ).toBe(EXIT.failed);
    expect(err.pop()).toContain(`${path.join(dir, 'missing.json')} did not`);

    expect(await runTrickle(['--interval', '5s'], io)).toBe(EXIT.usage);
    expect(err).toEqual([
      'demo-trickle: the trickle needs --tokens FILE ({ "<userEntityRef>": "<token>" }, e.g. .data/demo-tokens.json)',
      'Run "yarn workspace @fawkes/ai-telemetry-demo trickle --help" for the usage.',
    ]);
  });
});

/** The first demo-like user refs that report from each OTLP assistant, and one that does not. */
function pickDevelopers(): Record<OtlpAssistant | 'ide', string> {
  const picked: Partial<Record<OtlpAssistant | 'ide', string>> = {};
  for (let i = 0; Object.keys(picked).length < 4; i++) {
    const ref = `user:default/developer-${i}`;
    picked[otlpAssistantOf(ref) ?? 'ide'] ??= ref;
  }
  return picked as Record<OtlpAssistant | 'ide', string>;
}

describe('which developers report over OTLP', () => {
  it('is about 40 % of the user refs, and the guest, whatever the seed', () => {
    const counts: Record<string, number> = {};
    for (let i = 0; i < 2000; i++) {
      const assistant = otlpAssistantOf(`user:default/person${i}`) ?? 'ide';
      counts[assistant] = (counts[assistant] ?? 0) + 1;
    }
    const otlp = 2000 - counts.ide;
    expect(otlp / 2000).toBeGreaterThan(0.36);
    expect(otlp / 2000).toBeLessThan(0.44);
    // Half of them on Claude Code, a quarter each on Gemini CLI and Codex.
    expect(counts['claude-code'] / otlp).toBeGreaterThan(0.43);
    expect(counts['claude-code'] / otlp).toBeLessThan(0.57);
    expect(counts['gemini-cli']).toBeGreaterThan(otlp * 0.18);
    expect(counts.codex).toBeGreaterThan(otlp * 0.18);

    expect(otlpAssistantOf(GUEST_REF)).toBe('claude-code');
    expect(otlpAssistantOf(' User:Default/Guest ')).toBe('claude-code');
    const developers = pickDevelopers();
    for (const assistant of OTLP_ASSISTANTS) {
      expect(otlpAssistantOf(developers[assistant])).toBe(assistant);
      expect(otlpAssistantOf(developers[assistant].toUpperCase())).toBe(
        assistant,
      );
    }
    expect(otlpAssistantOf(developers.ide)).toBeUndefined();
    // The developers of the events test send events.
    expect(otlpAssistantOf('user:default/ada')).toBeUndefined();
    expect(otlpAssistantOf('user:default/grace')).toBeUndefined();
  });

  it('exports to the receiver under the plugin base URL', () => {
    expect(otlpMetricsUrl('http://localhost:7007/api/ai-telemetry')).toBe(
      'http://localhost:7007/api/ai-telemetry/otlp/v1/metrics',
    );
    expect(otlpMetricsUrl('http://localhost:7007/api/ai-telemetry/')).toBe(
      'http://localhost:7007/api/ai-telemetry/otlp/v1/metrics',
    );
  });
});

/** The documented values of the attributes the receiver reads (sources.ts). */
const DOCUMENTED: Record<string, Record<string, readonly string[]>> = {
  'claude_code.token.usage': {
    type: ['input', 'output', 'cacheRead', 'cacheCreation'],
  },
  'claude_code.active_time.total': { type: ['user', 'cli'] },
  'claude_code.code_edit_tool.decision': { decision: ['accept', 'reject'] },
  'claude_code.lines_of_code.count': { type: ['added', 'removed'] },
  'gemini_cli.token.usage': { type: ['input', 'output', 'thought', 'cache'] },
  'gemini_cli.lines.changed': { type: ['added', 'removed'] },
  'gemini_cli.tool.call.count': {
    decision: ['accept', 'reject', 'modify', 'auto_accept'],
  },
  'codex.turn.token_usage': {
    token_type: [
      'input',
      'cached_input',
      'output',
      'reasoning_output',
      'total',
    ],
  },
  'codex.approval.requested': {
    approved: [
      'approved',
      'approved_for_session',
      'approved_with_amendment',
      'denied',
      'abort',
    ],
  },
};

describe('OtlpDeveloper', () => {
  /** Records turns as the developer and exports them to memory. */
  async function record(assistant: OtlpAssistant, turns: number) {
    const exporter = new InMemoryMetricExporter(
      OTLP_EXPORT[assistant].temporality,
    );
    const random = createRandom(7, assistant);
    const developer = new OtlpDeveloper({
      userRef: 'user:default/someone',
      token: 'fat_someone',
      assistant,
      endpoint: 'http://127.0.0.1:1/api/ai-telemetry',
      languages: ['typescript', 'csharp'],
      random,
      exporter,
    });
    let measurements = 0;
    for (let i = 0; i < turns; i++) measurements += developer.turn(random);
    const outcome = await developer.shutdown();
    return {
      measurements,
      outcome,
      exported: exporter.getMetrics() as ResourceMetrics[],
    };
  }

  it.each(OTLP_ASSISTANTS)(
    'records %s metrics under their documented names and attributes',
    async assistant => {
      const { measurements, outcome, exported } = await record(assistant, 150);
      expect(measurements).toBeGreaterThan(150);
      expect(outcome).toEqual({ delivered: 1, failed: 0, error: undefined });
      expect(exported).toHaveLength(1);
      const [resourceMetrics] = exported;
      expect(resourceMetrics.resource.attributes['service.name']).toBe(
        OTLP_EXPORT[assistant].resource['service.name'],
      );
      const metrics = resourceMetrics.scopeMetrics.flatMap(s => s.metrics);
      expect(new Set(metrics.map(m => m.descriptor.name))).toEqual(
        new Set(OTLP_METRIC_NAMES[assistant]),
      );
      expect(resourceMetrics.scopeMetrics.map(s => s.scope.name)).toEqual([
        OTLP_EXPORT[assistant].meter.name,
      ]);
      const problems: string[] = [];
      for (const metric of metrics) {
        const documented = DOCUMENTED[metric.descriptor.name] ?? {};
        for (const point of metric.dataPoints) {
          const attributes = point.attributes as Record<string, string>;
          for (const [key, values] of Object.entries(documented)) {
            if (!values.includes(attributes[key])) {
              problems.push(
                `${metric.descriptor.name} ${key}=${attributes[key]}`,
              );
            }
          }
          if (
            attributes.model !== undefined &&
            modelLabel(attributes.model) === OTHER
          ) {
            problems.push(
              `${metric.descriptor.name} model=${attributes.model}`,
            );
          }
        }
      }
      expect(problems).toEqual([]);
    },
  );

  it("reports Claude Code's own cost consistent with its tokens, and the files' languages by name", async () => {
    const { exported } = await record('claude-code', 60);
    const metrics = exported[0].scopeMetrics.flatMap(s => s.metrics);
    const points = (name: string) =>
      metrics
        .find(m => m.descriptor.name === name)!
        .dataPoints.map(p => ({
          attributes: p.attributes as Record<string, string>,
          value: p.value as number,
        }));
    const type: Record<string, TokenType> = {
      input: 'input',
      output: 'output',
      cacheRead: 'cache_read',
      cacheCreation: 'cache_creation',
    };
    const modelOf = (reported: string) =>
      Object.values(DEMO_MODELS).find(m => m.reported === reported)!.model;
    let fromTokens = 0;
    for (const { attributes, value } of points('claude_code.token.usage')) {
      const model = modelOf(attributes.model);
      fromTokens += (value * DEMO_PRICES[model][type[attributes.type]]!) / 1e6;
    }
    const cost = points('claude_code.cost.usage').reduce(
      (sum, p) => sum + p.value,
      0,
    );
    expect(cost).toBeGreaterThan(1);
    expect(cost).toBeCloseTo(fromTokens, 6);
    expect(
      new Set(
        points('claude_code.code_edit_tool.decision').map(
          p => p.attributes.language,
        ),
      ),
    ).toEqual(new Set(['TypeScript', 'C#', 'Markdown']));
  });
});

describe('the trickle over OTLP, through the OpenTelemetry SDK', () => {
  // The SDK's HTTP transport loads `http` with a dynamic import, which Jest's VM refuses: the
  // trickle runs as its own Node process (under tsx), as `yarn trickle` does.
  jest.setTimeout(60_000);

  let backend: StandInBackend;
  let dir: string;
  beforeEach(async () => {
    backend = await new StandInBackend().start();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fawkes-trickle-otlp-'));
  });
  afterEach(async () => {
    await backend.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  /** Starts the trickle's CLI; resolves with its exit code and output once it exits. */
  function startTrickle(args: string[]) {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join('src', 'cli.ts'), 'trickle', ...args],
      {
        cwd: path.join(__dirname, '..'),
        env: { PATH: process.env.PATH, HOME: process.env.HOME },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', chunk => (out += chunk));
    child.stderr.on('data', chunk => (err += chunk));
    const exited = new Promise<{
      code: number | null;
      out: string;
      err: string;
    }>(resolve => child.on('exit', code => resolve({ code, out, err })));
    return { child, exited };
  }

  async function tokensFile(developers: Record<string, string>) {
    const file = path.join(dir, 'demo-tokens.json');
    const tokens = Object.fromEntries(
      Object.values(developers).map((ref, i) => [ref, `fat_token_${i}`]),
    );
    await fs.writeFile(file, JSON.stringify(tokens));
    return { file, tokens };
  }

  it("sends each OTLP developer's metrics with their own token, as their assistant does, and shuts down cleanly on SIGTERM", async () => {
    const developers = pickDevelopers();
    const { file, tokens } = await tokensFile(developers);
    const tokenOf = (assistant: OtlpAssistant | 'ide') =>
      `Bearer ${tokens[developers[assistant]]}`;
    const { child, exited } = startTrickle([
      '--tokens',
      file,
      '--endpoint',
      backend.url,
      '--queue-dir',
      path.join(dir, 'queues'),
      '--interval',
      '150ms',
      '--users-per-tick',
      '4',
      '--seed',
      '11',
    ]);

    // Until every developer has sent something, then stop it as Ctrl-C would.
    const sentBy = (authorization: string) =>
      backend.otlp.some(r => r.authorization === authorization) ||
      backend.events.some(r => r.authorization === authorization);
    await backend
      .until(
        () =>
          (['ide', ...OTLP_ASSISTANTS] as const).every(a => sentBy(tokenOf(a))),
        45_000,
      )
      .catch(async error => {
        child.kill('SIGKILL');
        const { out, err } = await exited;
        throw new Error(`${error.message}\n${out}\n${err}`);
      });
    child.kill('SIGTERM');
    const { code, out, err } = await exited;

    expect({ code, err }).toEqual({ code: EXIT.ok, err: '' });
    const lines = out.trim().split('\n');
    expect(lines[1]).toBe(
      `demo-trickle: 3 of them through the OpenTelemetry SDK (1 claude-code, 1 gemini-cli, 1 codex) → ${backend.url}/otlp/v1/metrics`,
    );
    expect(lines[lines.length - 2]).toMatch(
      /^demo-trickle: last flush sent \d+; OTLP providers shut down, \d+ last export\(s\)$/,
    );
    const last =
      /OTLP: (\d+) turn\(s\), (\d+) export\(s\) \((\d+) measurement\(s\)\)$/.exec(
        lines[lines.length - 1],
      );
    expect(last).not.toBeNull();
    // Every export the SDK reported delivered arrived, and nothing failed.
    expect(Number(last![2])).toBe(backend.otlp.length);
    expect(backend.unexpected).toEqual([]);

    for (const assistant of OTLP_ASSISTANTS) {
      const requests = backend.otlp.filter(
        r => r.authorization === tokenOf(assistant),
      );
      expect(requests.length).toBeGreaterThan(0);
      const how = OTLP_EXPORT[assistant];
      const temporality =
        how.temporality === AggregationTemporality.DELTA ? 1 : 2;
      const names = new Set<string>();
      for (const request of requests) {
        expect(request.contentType).toBe('application/x-protobuf');
        for (const resource of request.resources) {
          expect(resource.attributes['service.name']).toBe(
            how.resource['service.name'],
          );
          for (const metric of resource.metrics) {
            names.add(metric.name);
            expect({
              metric: metric.name,
              temporality: metric.temporality,
            }).toEqual({
              metric: metric.name,
              temporality,
            });
            expect(metric.kind).toBe(
              metric.name === 'codex.turn.token_usage' ? 'histogram' : 'sum',
            );
            expect(metric.monotonic).toBe(
              metric.kind === 'sum' ? true : undefined,
            );
            for (const point of metric.points) {
              expect(point.value).toBeGreaterThanOrEqual(0);
            }
          }
        }
      }
      // The metrics of the turns: tokens in every one of them.
      const tokenMetric = OTLP_METRIC_NAMES[assistant][1];
      expect(names).toContain(tokenMetric);
      for (const name of names) {
        expect(OTLP_METRIC_NAMES[assistant]).toContain(name);
      }
      // An OTLP developer sends no events.
      expect(
        backend.events.filter(r => r.authorization === tokenOf(assistant)),
      ).toEqual([]);
    }
    // The IDE developer sends events only.
    expect(
      backend.otlp.filter(r => r.authorization === tokenOf('ide')),
    ).toEqual([]);
    expect(backend.events.length).toBeGreaterThan(0);
  });

  it('flushes and shuts the providers down at the end of --duration', async () => {
    const developers = pickDevelopers();
    const { file } = await tokensFile({ claude: developers['claude-code'] });
    const { exited } = startTrickle([
      '--tokens',
      file,
      '--endpoint',
      backend.url,
      '--interval',
      '100ms',
      '--duration',
      '1500ms',
      '--seed',
      '5',
    ]);
    const { code, out, err } = await exited;

    expect({ code, err }).toEqual({ code: EXIT.ok, err: '' });
    const last =
      /stopped after (\d+) tick\(s\): recorded 0, sent 0 event\(s\); OTLP: (\d+) turn\(s\), (\d+) export\(s\)/.exec(
        out,
      );
    expect(last).not.toBeNull();
    expect(Number(last![2])).toBeGreaterThan(0);
    expect(Number(last![3])).toBe(backend.otlp.length);
    expect(backend.otlp.length).toBeGreaterThan(0);
  });

  it('reports failed exports, e.g. a refused token, and still stops cleanly', async () => {
    const developers = pickDevelopers();
    const { file } = await tokensFile({ claude: developers['claude-code'] });
    // Nothing listens under this base URL: every export is answered 404.
    const { exited } = startTrickle([
      '--tokens',
      file,
      '--endpoint',
      `${backend.url}/nowhere`,
      '--interval',
      '100ms',
      '--duration',
      '600ms',
      '--seed',
      '5',
    ]);
    const { code, out, err } = await exited;

    expect(code).toBe(EXIT.ok);
    expect(err).toMatch(
      /demo-trickle: 1 developer\(s\) OTLP export failed, e\.g\. /,
    );
    expect(out).toMatch(/OTLP: \d+ turn\(s\), 0 export\(s\), [1-9]\d* failed/);
  });
});
