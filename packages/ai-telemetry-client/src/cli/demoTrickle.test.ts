import {
  DEFAULT_ASSISTANTS,
  DEFAULT_LANGUAGES,
} from '@fawkes/plugin-ai-telemetry-common';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StubEventsServer } from '../testing/stubEventsServer';
import { validateEvent } from '../validateEvent';
import { runCli } from './main';
import { developerProfile, randomEvent, seededRandom } from './randomEvents';
import { CliIo, EXIT } from './usage';

describe('demo-trickle', () => {
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

  it('generates the same valid events for the same seed', () => {
    const draw = (seed: number) => {
      const random = seededRandom(seed);
      const profile = developerProfile(random);
      return Array.from({ length: 200 }, () => randomEvent(random, profile));
    };
    const events = draw(7);

    expect(draw(7)).toEqual(events);
    expect(draw(8)).not.toEqual(events);
    const lists = {
      languages: DEFAULT_LANGUAGES,
      assistants: DEFAULT_ASSISTANTS,
    };
    for (const event of events) {
      expect(validateEvent(event, lists)).toEqual(event);
    }
    expect(new Set(events.map(e => e.kind))).toEqual(
      new Set(['suggestion', 'feature', 'time_saved']),
    );
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
    const io: CliIo = {
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

    const code = await runCli(
      [
        'demo-trickle',
        '--tokens',
        tokensFile,
        '--interval',
        '100ms',
        '--seed',
        '3',
      ],
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
    const code = await runCli(
      [
        'demo-trickle',
        '--tokens',
        path.join(dir, 'missing.json'),
        '--wait-for-tokens',
        '0s',
      ],
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
});
