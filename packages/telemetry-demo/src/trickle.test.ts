import { StubEventsServer } from '@fawkes/ai-telemetry-test-utils';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
