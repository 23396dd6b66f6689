import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backfillPrometheus } from './backfill';
import { BackendProcess } from './BackendProcess';
import { PostgresProcess } from './PostgresProcess';
import { PrometheusProcess, startPrometheus } from './PrometheusProcess';
import { startPushgateway } from './PushgatewayProcess';
import { runCommand } from './runCommand';
import { startVictoriaMetrics } from './VictoriaMetricsProcess';

jest.setTimeout(120_000);

describe('the processes a test starts', () => {
  let dir: string;
  let history: string;
  const now = Math.floor(Date.now() / 1000 / 3600) * 3600;

  beforeAll(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'fawkes-test-utils-'));
    history = join(dir, 'history.om');
    await fs.writeFile(
      history,
      [
        '# TYPE things_total counter',
        `things_total{team="a"} 1 ${now - 7200}`,
        `things_total{team="a"} 4 ${now - 3600}`,
        '# EOF',
        '',
      ].join('\n'),
    );
  });

  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('runs Prometheus on backfilled history and recording rules, restarts it on its port, and says why it cannot start', async () => {
    const rules = join(dir, 'rules.yml');
    await fs.writeFile(
      rules,
      [
        'groups:',
        '  - name: test',
        '    rules:',
        '      - record: team:things:increase1h',
        '        expr: sum by (team) (increase(things_total[1h]))',
        '',
      ].join('\n'),
    );
    const prometheus = new PrometheusProcess({
      dir: join(dir, 'prometheus'),
      adminApi: true,
    });
    await backfillPrometheus(prometheus.dataDir, [history], {
      file: rules,
      from: now - 3600,
      to: now - 3600,
      workDir: join(dir, 'rules-work'),
    });
    try {
      await prometheus.start();
      const port = prometheus.port;
      await prometheus.stop();
      await prometheus.start();
      expect(prometheus.port).toBe(port);

      const [raw] = await prometheus.query('things_total', now - 3600);
      expect(raw.value![1]).toBe('4');
      const [recorded] = await prometheus.rangeQuery('team:things:increase1h', {
        start: now - 3600,
        end: now - 3600,
        step: 60,
      });
      expect(recorded.metric).toEqual({
        __name__: 'team:things:increase1h',
        team: 'a',
      });
      const deleted = await fetch(
        `${prometheus.url}/api/v1/admin/tsdb/delete_series?match[]=things_total`,
        { method: 'POST' },
      );
      expect(deleted.status).toBe(204);
    } finally {
      await prometheus.stop();
    }

    await expect(
      startPrometheus({ dir: join(dir, 'broken'), config: 'global: [' }),
    ).rejects.toThrow(
      /^prometheus exited \(2\) while starting\n--- last lines of .*broken\/prometheus\.log:\n.*parsing YAML/s,
    );
  });

  it('keeps a Pushgateway’s groups in its persistence file across a restart', async () => {
    const pushgateway = await startPushgateway({
      dir: join(dir, 'pushgateway'),
    });
    try {
      await pushgateway.push('ai_telemetry', 'abc', 'things_total 3\n');
      await pushgateway.stop();
      await pushgateway.start();
      expect(await pushgateway.groups()).toEqual([
        { job: 'ai_telemetry', instance: 'abc' },
      ]);
    } finally {
      await pushgateway.stop();
    }
  });

  it('imports history into VictoriaMetrics and answers queries at once', async () => {
    const victoria = await startVictoriaMetrics({ dir: join(dir, 'victoria') });
    try {
      await victoria.importOpenMetrics([history]);
      const [raw] = await victoria.query('things_total', now - 3600);
      expect(raw.value![1]).toBe('4');
    } finally {
      await victoria.stop();
    }
  });

  it('runs a PostgreSQL cluster of its own that keeps its data across a restart', async () => {
    const postgres = new PostgresProcess({
      dir: await fs.mkdtemp(join(tmpdir(), 'fawkes-test-utils-postgres-')),
    });
    const psql = (sql: string) =>
      runCommand('/usr/lib/postgresql/15/bin/psql', [
        postgres.connectionString,
        '--tuples-only',
        '--no-align',
        '--command',
        sql,
      ]);
    try {
      await postgres.start();
      await psql('CREATE TABLE kept (n integer); INSERT INTO kept VALUES (7)');
      await postgres.stop();
      await postgres.start();
      expect((await psql('SELECT n FROM kept')).trim()).toBe('7');
    } finally {
      await postgres.stop();
      await fs.rm(postgres.dir, { recursive: true, force: true });
    }
  });

  it('runs a backend entry file with its config, and a new process after a kill on the same port', async () => {
    const options = {
      dir: join(dir, 'backend'),
      entry: join(__dirname, '__fixtures__', 'backendEntry.ts'),
      readyPath: '/ready',
      config: { greeting: 'hello' },
    };
    const first = await new BackendProcess(options).start();
    const answer = async (backend: BackendProcess) =>
      (await fetch(`${backend.url}/ready`)).json();
    try {
      const before = await answer(first);
      expect(before.greeting).toBe('hello');
      await first.kill();
      expect(first.running).toBe(false);

      const second = await new BackendProcess({
        ...options,
        port: first.port,
        name: 'backend-2',
      }).start();
      try {
        const after = await answer(second);
        expect(after.pid).not.toBe(before.pid);
        expect(second.url).toBe(first.url);
      } finally {
        await second.stop();
      }
    } finally {
      await first.stop();
    }
  });
});
