import { ChildProcess, spawn } from 'child_process';
import { writeFileSync } from 'fs';
import { join } from 'path';
import { freePort } from '../../__testUtils__/waiting';

/**
 * A Prometheus or VictoriaMetrics process that a test or the benchmark started on 127.0.0.1,
 * on a free port, with a data folder of its own. `stop()` ends that process (and only it).
 */
export type Engine = {
  kind: 'prometheus' | 'victoria-metrics';
  url: string;
  stop(): Promise<void>;
};

export const PROMETHEUS_BINARY = '/usr/bin/prometheus';
export const PROMTOOL_BINARY = '/usr/bin/promtool';
export const VICTORIA_METRICS_BINARY = '/usr/bin/victoria-metrics';

export { freePort };

function spawnEngine(
  binary: string,
  args: string[],
): { child: ChildProcess; log: () => string } {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, log: () => output };
}

async function waitReady(
  name: string,
  url: string,
  child: ChildProcess,
  log: () => string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let spawnError: Error | undefined;
  child.once('error', error => {
    spawnError = error;
  });
  while (Date.now() < deadline) {
    if (spawnError) {
      throw new Error(
        `${name} could not be started (${spawnError.message}); install Debian's package ` +
          '(scripts/install-system.sh test)',
      );
    }
    if (child.exitCode !== null) {
      throw new Error(`${name} exited with ${child.exitCode}: ${log()}`);
    }
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  throw new Error(
    `${name} was not ready at ${url} within ${timeoutMs} ms: ${log()}`,
  );
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>(resolve =>
      child.once('exit', () => resolve()),
    );
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
}

/**
 * Starts Prometheus on `dataDir` (which may hold backfilled blocks) with the given rule files,
 * scraping nothing; the retention is long, so that backfilled history is kept.
 */
export async function startPrometheus(options: {
  dataDir: string;
  ruleFiles?: string[];
  evaluationInterval?: string;
}): Promise<Engine> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const configFile = join(options.dataDir, 'prometheus.yml');
  writeFileSync(
    configFile,
    [
      'global:',
      `  evaluation_interval: ${options.evaluationInterval ?? '1s'}`,
      'rule_files:',
      ...(options.ruleFiles ?? []).map(file => `  - ${JSON.stringify(file)}`),
      ...(options.ruleFiles?.length ? [] : ['  []']),
      '',
    ].join('\n'),
  );
  const { child, log } = spawnEngine(PROMETHEUS_BINARY, [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${options.dataDir}`,
    '--storage.tsdb.retention.time=3650d',
    `--web.listen-address=127.0.0.1:${port}`,
    '--web.enable-admin-api',
  ]);
  const stop = stopper(child);
  try {
    await waitReady('Prometheus', url, child, log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { kind: 'prometheus', url, stop };
}

/** Starts VictoriaMetrics on `dataDir`, with the flags machine-notes.md gives for tests. */
export async function startVictoriaMetrics(options: {
  dataDir: string;
}): Promise<Engine> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { child, log } = spawnEngine(VICTORIA_METRICS_BINARY, [
    `-httpListenAddr=127.0.0.1:${port}`,
    `-storageDataPath=${options.dataDir}`,
    '-retentionPeriod=100y',
    '-search.latencyOffset=0s',
    '-search.disableCache',
  ]);
  const stop = stopper(child);
  try {
    await waitReady('VictoriaMetrics', url, child, log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { kind: 'victoria-metrics', url, stop };
}
