import { errorBody, StubEventsServer } from '@fawkes/ai-telemetry-test-utils';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './main';
import { CliIo, EXIT } from './usage';

describe('fawkes-ai-telemetry', () => {
  let stub: StubEventsServer;
  let queueDir: string;
  let out: string[];
  let err: string[];

  function io(env: NodeJS.ProcessEnv = {}): CliIo {
    return {
      out: line => out.push(line),
      err: line => err.push(line),
      env: {
        FAWKES_AI_TELEMETRY: 'enabled',
        FAWKES_AI_TELEMETRY_ENDPOINT: stub.url,
        FAWKES_AI_TELEMETRY_TOKEN: 'fat_cli',
        FAWKES_AI_TELEMETRY_QUEUE_DIR: queueDir,
        ...env,
      },
    };
  }

  beforeEach(async () => {
    stub = await new StubEventsServer().start();
    queueDir = await fs.mkdtemp(path.join(os.tmpdir(), 'fawkes-cli-'));
    out = [];
    err = [];
  });

  afterEach(async () => {
    await stub.stop();
    await fs.rm(queueDir, { recursive: true, force: true });
  });

  it('pushes a suggestion the way the seed’s curl recipe did, and says so', async () => {
    const code = await runCli(
      [
        'push',
        'suggestion',
        '--language',
        'python',
        '--accepted',
        '--lines',
        '12',
        '--wait-ms',
        '900',
        '--assistant',
        'copilot',
      ],
      io(),
    );

    expect(code).toBe(EXIT.ok);
    expect(out).toEqual(['sent 1 event(s), 0 still queued']);
    expect(stub.requests[0].authorization).toBe('Bearer fat_cli');
    expect(stub.requests[0].body.events).toEqual([
      {
        kind: 'suggestion',
        language: 'python',
        accepted: true,
        lines: 12,
        waitMs: 900,
        assistant: 'copilot',
      },
    ]);
  });

  it('pushes a feature use and a time-saved estimate', async () => {
    expect(
      await runCli(
        ['push', 'feature', '--feature', 'chat', '--count', '2'],
        io(),
      ),
    ).toBe(EXIT.ok);
    expect(
      await runCli(
        [
          'push',
          'time-saved',
          '--activity',
          'documentation',
          '--seconds',
          '120',
        ],
        io(),
      ),
    ).toBe(EXIT.ok);

    expect(stub.requests.map(r => r.body.events[0])).toEqual([
      { kind: 'feature', feature: 'chat', count: 2 },
      { kind: 'time_saved', activity: 'documentation', seconds: 120 },
    ]);
  });

  it.each([
    [
      ['push', 'suggestion', '--language', 'go'],
      /exactly one of --accepted or --rejected/,
    ],
    [['push', 'suggestion', '--accepted'], /--language is required/],
    [
      ['push', 'feature', '--feature', 'chat', '--lines', '3'],
      /--lines does not apply to push feature/,
    ],
    [
      ['push', 'feature', '--feature', 'chat', '--count', 'many'],
      /--count must be a whole number/,
    ],
    [['push', 'feature', '--feature', 'standup'], /feature must be one of/],
    [
      ['push', 'keystroke'],
      /suggestion, feature or time-saved, got "keystroke"/,
    ],
    [['push', 'feature', '--colour', 'red'], /Unknown option '--colour'/],
    [['deploy'], /unknown command "deploy"/],
  ])(
    '%j is a usage error (exit 2) that names the problem',
    async (argv, message) => {
      expect(await runCli(argv, io())).toBe(EXIT.usage);
      expect(err.join('\n')).toMatch(message);
      expect(stub.requests).toHaveLength(0);
    },
  );

  it('records nothing and exits 3 when telemetry is off', async () => {
    const code = await runCli(
      ['push', 'feature', '--feature', 'chat'],
      io({ FAWKES_AI_TELEMETRY: '' }),
    );

    expect(code).toBe(EXIT.disabled);
    expect(err.join('\n')).toMatch(
      /AI telemetry is off.*FAWKES_AI_TELEMETRY=enabled/,
    );
    expect(await fs.readdir(queueDir)).toEqual([]);
  });

  it('keeps the event and exits 4 when the backend is unreachable; flush sends it later', async () => {
    const env = {
      FAWKES_AI_TELEMETRY_ENDPOINT: 'http://127.0.0.1:9/api/ai-telemetry',
    };
    const code = await runCli(
      ['push', 'feature', '--feature', 'test', '--retries', '0'],
      io(env),
    );

    expect(code).toBe(EXIT.queued);
    expect(out).toEqual(['sent 0 event(s), 1 still queued']);
    expect(err.join('\n')).toMatch(/could not be reached/);

    out = [];
    expect(await runCli(['flush'], io())).toBe(EXIT.ok);
    expect(out).toEqual(['sent 1 event(s), 0 still queued']);
  });

  it('exits 5 with the portal’s instructions when the token is refused', async () => {
    stub.answerNext({
      status: 401,
      body: errorBody('AuthenticationError', 'unknown telemetry token'),
    });

    const code = await runCli(['push', 'feature', '--feature', 'chat'], io());

    expect(code).toBe(EXIT.refused);
    expect(err.join('\n')).toMatch(
      /unknown telemetry token.*Settings → AI Telemetry/,
    );
  });

  it('exits 6 when the backend refuses the events as invalid', async () => {
    stub.answerNext({
      status: 400,
      body: errorBody('InputError', 'events[0].feature is not allowed'),
    });

    const code = await runCli(['push', 'feature', '--feature', 'chat'], io());

    expect(code).toBe(EXIT.deadLettered);
    expect(out).toEqual([
      'sent 0 event(s), 1 refused as invalid, 0 still queued',
    ]);
  });

  it('reports its status, as text and as JSON', async () => {
    await runCli(['push', 'feature', '--feature', 'chat', '--no-send'], io());
    out = [];

    expect(await runCli(['status'], io())).toBe(EXIT.ok);
    expect(out).toEqual(
      expect.arrayContaining([
        'telemetry:    enabled',
        `endpoint:     ${stub.url}`,
        'token:        set',
        `queue:        1 event(s) waiting, in ${queueDir}`,
      ]),
    );

    out = [];
    expect(await runCli(['status', '--json'], io())).toBe(EXIT.ok);
    expect(JSON.parse(out.join('\n'))).toMatchObject({
      enabled: true,
      queuedEvents: 1,
      tokenConfigured: true,
    });
  });

  it('prints its usage with --help', async () => {
    expect(await runCli(['--help'], io())).toBe(EXIT.ok);
    expect(out.join('\n')).toMatch(/usage: fawkes-ai-telemetry <command>/);
    expect(out.join('\n')).toMatch(/exit codes: 0 delivered/);
  });
});
