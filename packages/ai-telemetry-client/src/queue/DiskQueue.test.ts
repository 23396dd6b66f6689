import { TelemetryEvent } from '@fawkes/plugin-ai-telemetry-common';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DiskQueue } from './DiskQueue';

const feature = (count: number): TelemetryEvent => ({
  kind: 'feature',
  feature: 'chat',
  count,
});

describe('DiskQueue', () => {
  let dir: string;
  let queue: DiskQueue;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fawkes-disk-queue-'));
    queue = new DiskQueue(dir, Date.now);
  });

  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('forms batches in recording order, within the event and byte limits', async () => {
    for (let i = 1; i <= 7; i++) {
      await queue.append(feature(i));
    }

    await queue.formBatches(3, 1_000_000);

    const batches = await queue.batches();
    expect(batches.map(b => b.events.map(e => (e as any).count))).toEqual([
      [1, 2, 3],
      [4, 5, 6],
      [7],
    ]);
    expect(await queue.pendingCount()).toBe(0);
    expect(await queue.stats()).toMatchObject({
      pendingEvents: 0,
      batches: 3,
      batchedEvents: 7,
    });
  });

  it('does not batch an event twice when a crash left it in pending/ too', async () => {
    await queue.append(feature(1));
    await queue.append(feature(2));
    const pendingDir = path.join(dir, 'pending');
    const saved = await Promise.all(
      (
        await fs.readdir(pendingDir)
      ).map(async name => ({
        name,
        text: await fs.readFile(path.join(pendingDir, name), 'utf8'),
      })),
    );
    await queue.formBatches(1000, 1_000_000);
    // The crash: the batch was written, the pending files were not yet removed.
    for (const { name, text } of saved) {
      await fs.writeFile(path.join(pendingDir, name), text);
    }

    await queue.formBatches(1000, 1_000_000);

    const batches = await queue.batches();
    expect(batches).toHaveLength(1);
    expect(batches[0].events).toHaveLength(2);
    expect(await queue.pendingCount()).toBe(0);
  });

  it('splits a batch into halves with derived ids, and a crash mid-split sends no event twice', async () => {
    for (let i = 1; i <= 5; i++) {
      await queue.append(feature(i));
    }
    await queue.formBatches(1000, 1_000_000);
    const [parent] = await queue.batches();
    const parentFile = path.join(dir, 'batches', parent.file);
    const parentText = await fs.readFile(parentFile, 'utf8');

    const halves = await queue.split(parent);
    // The crash: both halves were written, the parent not yet removed.
    await fs.writeFile(parentFile, parentText);

    expect(halves.map(h => h.batchId)).toEqual([
      `${parent.batchId}_0`,
      `${parent.batchId}_1`,
    ]);
    const batches = await queue.batches();
    expect(batches.map(b => b.batchId)).toEqual(halves.map(h => h.batchId));
    expect(batches.flatMap(b => b.events)).toEqual(parent.events);
  });

  it('lets one holder at a time take the flush lock, and takes over a dead holder’s', async () => {
    const release = await queue.lock(60_000);
    expect(release).toBeDefined();
    expect(await queue.lock(60_000)).toBeUndefined();
    await release!();

    await fs.writeFile(
      path.join(dir, 'flush.lock'),
      JSON.stringify({ pid: 2 ** 22 + 12345, at: Date.now() }),
    );
    const takenOver = await queue.lock(60_000);
    expect(takenOver).toBeDefined();
    await takenOver!();
  });

  it('leaves no temporary files behind and keeps state across instances', async () => {
    await queue.append(feature(1));
    await queue.writeState({ lastSentAt: 42 });

    const again = new DiskQueue(dir, Date.now);

    expect(await again.readState()).toEqual({ lastSentAt: 42 });
    expect(await again.pendingCount()).toBe(1);
    const everything = [
      ...(await fs.readdir(dir)),
      ...(await fs.readdir(path.join(dir, 'pending'))),
    ];
    expect(everything.filter(name => name.startsWith('.tmp-'))).toEqual([]);
  });
});
