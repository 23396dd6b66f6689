import { StubEventsServer } from '@fawkes/ai-telemetry-test-utils';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const PACKAGE_DIR = path.resolve(__dirname, '..');
const BACKSTAGE_CLI = path.join(
  path.dirname(require.resolve('@backstage/cli/package.json')),
  'bin',
  'backstage-cli',
);
/** Keys of publishConfig that configure the publishing, not the package (as backstage-cli's prepack). */
const PUBLISHING_KEYS = ['access', 'registry', 'tag'];

/**
 * The package as `npm publish` would pack it: built, and with the package.json that
 * `backstage-cli package prepack` writes (publishConfig's main and types in place of the
 * sources'). Staged in `dir` so that the working tree's package.json is never rewritten.
 */
async function stagePackage(dir: string): Promise<void> {
  await run(process.execPath, [BACKSTAGE_CLI, 'package', 'build'], {
    cwd: PACKAGE_DIR,
  });
  const manifest = JSON.parse(
    await fs.readFile(path.join(PACKAGE_DIR, 'package.json'), 'utf8'),
  );
  for (const [key, value] of Object.entries(manifest.publishConfig ?? {})) {
    if (!PUBLISHING_KEYS.includes(key)) {
      manifest[key] = value;
    }
  }
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(
    path.join(dir, 'package.json'),
    JSON.stringify(manifest, null, 2),
  );
  for (const entry of [...manifest.files, 'README.md']) {
    await fs.cp(path.join(PACKAGE_DIR, entry), path.join(dir, entry), {
      recursive: true,
    });
  }
}

describe('the packed package', () => {
  let work: string;
  let app: string;
  let stub: StubEventsServer;

  /** What an IDE or CI job has: no monorepo, no workspace, no Backstage; npm's cache in `work`. */
  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    npm_config_cache: path.join(work, 'npm-cache'),
    npm_config_update_notifier: 'false',
    ...extra,
  });

  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'fawkes-client-pack-'));
    const staged = path.join(work, 'package');
    await stagePackage(staged);
    const { stdout } = await run(
      'npm',
      ['pack', '--json', '--ignore-scripts', '--pack-destination', work],
      { cwd: staged, env: env() },
    );
    const [{ filename }] = JSON.parse(stdout);

    app = path.join(work, 'app');
    await fs.mkdir(app);
    await fs.writeFile(
      path.join(app, 'package.json'),
      JSON.stringify({ name: 'ide-ci-job', private: true }),
    );
    await run(
      'npm',
      [
        'install',
        '--offline',
        '--no-audit',
        '--no-fund',
        path.join(work, filename),
      ],
      { cwd: app, env: env() },
    );
    stub = await new StubEventsServer().start();
  }, 180_000);

  afterAll(async () => {
    await stub?.stop();
    await fs.rm(work, { recursive: true, force: true });
  });

  it('installs in an empty folder without the monorepo, and its command prints the usage', async () => {
    const { stdout } = await run(
      'npx',
      ['--offline', 'fawkes-ai-telemetry', '--help'],
      { cwd: app, env: env() },
    );

    expect(stdout).toMatch(/^usage: fawkes-ai-telemetry <command> \[options\]/);
    for (const command of ['push suggestion', 'flush', 'status', 'report']) {
      expect(stdout).toContain(`\n  ${command} `);
    }
    expect(stdout).not.toContain('demo-trickle');
    const installed = path.join(app, 'node_modules', '@fawkes');
    expect(await fs.readdir(installed)).toEqual(['ai-telemetry-client']);
    expect(await fs.readdir(path.join(app, 'node_modules'))).not.toContain(
      '@backstage',
    );
  });

  it('pushes an event with the installed command', async () => {
    const { stdout } = await run(
      'npx',
      [
        '--offline',
        'fawkes-ai-telemetry',
        'push',
        'feature',
        '--feature',
        'chat',
      ],
      {
        cwd: app,
        env: env({
          FAWKES_AI_TELEMETRY: 'enabled',
          FAWKES_AI_TELEMETRY_ENDPOINT: stub.url,
          FAWKES_AI_TELEMETRY_TOKEN: 'fat_packed',
          FAWKES_AI_TELEMETRY_QUEUE_DIR: path.join(work, 'queue'),
        }),
      },
    );

    expect(stdout.trim()).toBe('sent 1 event(s), 0 still queued');
    expect(stub.countedEvents).toBe(1);
    expect(stub.requests[0].authorization).toBe('Bearer fat_packed');
  });

  it('is a library with its types', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        '-e',
        "const c = require('@fawkes/ai-telemetry-client'); console.log(Object.keys(c).sort().join(' '))",
      ],
      { cwd: app, env: env() },
    );

    expect(stdout.trim().split(' ')).toEqual(
      expect.arrayContaining([
        'ENV',
        'InputError',
        'TelemetryClient',
        'runCli',
        'validateEvent',
      ]),
    );
    const types = await fs.readFile(
      path.join(
        app,
        'node_modules/@fawkes/ai-telemetry-client/dist/index.d.ts',
      ),
      'utf8',
    );
    expect(types).toContain('declare class TelemetryClient');
    expect(types).not.toMatch(/from '/);
  });
});
