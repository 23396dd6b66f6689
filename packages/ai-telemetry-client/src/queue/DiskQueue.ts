import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { IngestEventsRequest, TelemetryEvent } from '../contract';
import {
  listJsonFiles,
  readJson,
  removeFiles,
  removeStaleTempFiles,
  writeJsonAtomic,
} from './files';

/** A batch on disk: its id is fixed when it is formed, before it is first sent. */
export type QueuedBatch = {
  batchId: string;
  /** When the batch was formed (ms since the epoch). */
  createdAt: number;
  /** The pending-event files it was formed from (to recover from a crash mid-way). */
  sources: string[];
  events: TelemetryEvent[];
  /** The file name, which orders batches: creation time, rank, then id. */
  file: string;
};

/** A batch the backend refused as invalid (400), kept with the backend's message. */
export type DeadLetter = {
  batchId: string;
  status: number;
  message: string;
  deadLetteredAt: string;
  events: TelemetryEvent[];
};

/** Why sending is paused until something changes. */
export type Blocked = {
  reason: 'unauthorized' | 'not-opted-in';
  status: number;
  message: string;
  at: number;
  /** A short hash of the token that was refused: a different token lifts the pause. */
  tokenFingerprint: string;
};

/** What the client remembers between runs, besides the events. */
export type QueueState = {
  lastError?: { at: number; message: string; status?: number };
  lastSentAt?: number;
  blocked?: Blocked;
  /** Failed sends in a row and when the next automatic try is due. */
  backoff?: { failures: number; nextAttemptAt: number };
};

/** Counts of what the queue holds. */
export type QueueStats = {
  pendingEvents: number;
  batches: number;
  batchedEvents: number;
  deadLetters: number;
};

const LOCK_FILE = 'flush.lock';
const STATE_FILE = 'state.json';
const TEMP_MAX_AGE_MS = 3_600_000;

function padTime(ms: number): string {
  return String(ms).padStart(15, '0');
}

/** A new batch id: time in base 36, then 96 random bits (letters, digits, `-`, `_`). */
export function newBatchId(now: number): string {
  return `${now.toString(36)}-${randomBytes(12).toString('base64url')}`;
}

function bodyBytes(batchId: string, events: TelemetryEvent[]): number {
  const body: IngestEventsRequest = { batchId, events };
  return Buffer.byteLength(JSON.stringify(body));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The client's queue, a directory:
 *
 * - `pending/`: one file per recorded event, written atomically;
 * - `batches/`: events grouped into batches, each with the id it is sent with until the
 *   backend has counted it (written and fsynced before the first send);
 * - `dead-letter/`: batches the backend refused as invalid, with its message;
 * - `state.json`: last error, last delivery, pause after 401/403, backoff;
 * - `flush.lock`: held by the one process that is sending.
 */
export class DiskQueue {
  private readonly pendingDir: string;
  private readonly batchesDir: string;
  private readonly deadLetterDir: string;
  private sequence = 0;

  constructor(readonly dir: string, private readonly now: () => number) {
    this.pendingDir = path.join(dir, 'pending');
    this.batchesDir = path.join(dir, 'batches');
    this.deadLetterDir = path.join(dir, 'dead-letter');
  }

  private async ensureDirs(): Promise<void> {
    for (const dir of [this.pendingDir, this.batchesDir, this.deadLetterDir]) {
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    }
  }

  /** Stores one event durably. */
  async append(event: TelemetryEvent): Promise<void> {
    await this.ensureDirs();
    this.sequence += 1;
    const name = `${padTime(this.now())}-${process.pid}-${String(
      this.sequence,
    ).padStart(9, '0')}-${randomBytes(4).toString('hex')}.json`;
    await writeJsonAtomic(path.join(this.pendingDir, name), event);
  }

  /** Events recorded but not yet grouped into a batch. */
  async pendingCount(): Promise<number> {
    return (await listJsonFiles(this.pendingDir)).length;
  }

  /**
   * Groups every pending event into batches of at most `maxEvents` events and
   * `maxBytes` bytes of body, each with a new id. A batch is on disk before the events
   * it took are removed from `pending/`; events that a crash left in both places are
   * recognised by the batch's `sources` and not batched twice.
   */
  async formBatches(maxEvents: number, maxBytes: number): Promise<void> {
    await this.ensureDirs();
    const now = this.now();
    await removeStaleTempFiles(this.pendingDir, TEMP_MAX_AGE_MS, now);
    await removeStaleTempFiles(this.batchesDir, TEMP_MAX_AGE_MS, now);

    const batched = new Set<string>();
    for (const batch of await this.readBatches()) {
      batch.sources.forEach(s => batched.add(s));
    }
    const names = await listJsonFiles(this.pendingDir);
    await removeFiles(
      this.pendingDir,
      names.filter(n => batched.has(n)),
    );

    let current: { sources: string[]; events: TelemetryEvent[] } = {
      sources: [],
      events: [],
    };
    let batchId = newBatchId(now);
    let bytes = bodyBytes(batchId, []);
    let formed = 0;
    const write = async () => {
      if (current.events.length === 0) {
        return;
      }
      const createdAt = this.now();
      formed += 1;
      const order = `${padTime(createdAt)}-${String(formed).padStart(6, '0')}`;
      await writeJsonAtomic(
        path.join(this.batchesDir, `${order}-${batchId}.json`),
        { batchId, createdAt, ...current },
      );
      await removeFiles(this.pendingDir, current.sources);
      current = { sources: [], events: [] };
      batchId = newBatchId(this.now());
      bytes = bodyBytes(batchId, []);
    };

    for (const name of names.filter(n => !batched.has(n))) {
      const file = path.join(this.pendingDir, name);
      let event: TelemetryEvent | undefined;
      try {
        event = await readJson<TelemetryEvent>(file);
      } catch (error) {
        await this.quarantine(name, String(error));
        continue;
      }
      if (!event) {
        continue;
      }
      // One more event adds its JSON and, after the first, a comma.
      const added =
        Buffer.byteLength(JSON.stringify(event)) +
        (current.events.length > 0 ? 1 : 0);
      if (
        current.events.length >= maxEvents ||
        (current.events.length > 0 && bytes + added > maxBytes)
      ) {
        await write();
        bytes += Buffer.byteLength(JSON.stringify(event));
      } else {
        bytes += added;
      }
      current.sources.push(name);
      current.events.push(event);
    }
    await write();
  }

  /** An unreadable pending file goes to the dead letters, so it is neither lost nor retried. */
  private async quarantine(name: string, message: string): Promise<void> {
    await fs.rename(
      path.join(this.pendingDir, name),
      path.join(this.deadLetterDir, `unreadable-${name}`),
    );
    await writeJsonAtomic(
      path.join(this.deadLetterDir, `unreadable-${name}.reason.json`),
      { message },
    );
  }

  private async readBatches(): Promise<QueuedBatch[]> {
    const batches: QueuedBatch[] = [];
    for (const file of await listJsonFiles(this.batchesDir)) {
      const batch = await readJson<Omit<QueuedBatch, 'file'>>(
        path.join(this.batchesDir, file),
      );
      if (batch) {
        batches.push({ ...batch, file });
      }
    }
    return batches;
  }

  /**
   * The batches to send, oldest first. A batch that was split after a 413 and whose
   * halves are on disk is left out (a crash can leave both).
   */
  async batches(): Promise<QueuedBatch[]> {
    const all = await this.readBatches();
    return all.filter(
      batch =>
        !all.some(other => other.batchId.startsWith(`${batch.batchId}_`)),
    );
  }

  /** Forgets a batch the backend has counted. */
  async remove(batch: QueuedBatch): Promise<void> {
    await removeFiles(this.batchesDir, [batch.file]);
  }

  /**
   * Replaces a batch by its two halves, with ids derived from its own (`<id>_0`,
   * `<id>_1`), so that a crash in the middle and a second split give the same halves.
   */
  async split(batch: QueuedBatch): Promise<QueuedBatch[]> {
    const middle = Math.ceil(batch.events.length / 2);
    const order = batch.file.slice(
      0,
      batch.file.length - `${batch.batchId}.json`.length,
    );
    const halves = [
      batch.events.slice(0, middle),
      batch.events.slice(middle),
    ].map((events, i): QueuedBatch => {
      const batchId = `${batch.batchId}_${i}`;
      return {
        batchId,
        createdAt: batch.createdAt,
        sources: i === 0 ? batch.sources : [],
        events,
        file: `${order}${batchId}.json`,
      };
    });
    for (const { file, ...half } of halves) {
      await writeJsonAtomic(path.join(this.batchesDir, file), half);
    }
    await this.remove(batch);
    return halves;
  }

  /** Moves a batch the backend refused as invalid to `dead-letter/`, with the reason. */
  async deadLetter(
    batch: QueuedBatch,
    status: number,
    message: string,
  ): Promise<string> {
    await this.ensureDirs();
    const file = path.join(this.deadLetterDir, `${batch.batchId}.json`);
    const letter: DeadLetter = {
      batchId: batch.batchId,
      status,
      message,
      deadLetteredAt: new Date(this.now()).toISOString(),
      events: batch.events,
    };
    await writeJsonAtomic(file, letter);
    await this.remove(batch);
    return file;
  }

  async stats(): Promise<QueueStats> {
    const batches = await this.batches();
    const deadLetters = (await listJsonFiles(this.deadLetterDir)).filter(
      n => !n.endsWith('.reason.json'),
    );
    return {
      pendingEvents: await this.pendingCount(),
      batches: batches.length,
      batchedEvents: batches.reduce((sum, b) => sum + b.events.length, 0),
      deadLetters: deadLetters.length,
    };
  }

  async readState(): Promise<QueueState> {
    return (await readJson<QueueState>(path.join(this.dir, STATE_FILE))) ?? {};
  }

  async writeState(state: QueueState): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeJsonAtomic(path.join(this.dir, STATE_FILE), state);
  }

  /**
   * Takes the flush lock, so that two processes on one queue (two IDE windows) never
   * send the same batch at once. Returns the release function, or undefined when
   * another live process holds the lock. A lock left by a dead process, or older than
   * `staleMs`, is taken over.
   */
  async lock(staleMs: number): Promise<(() => Promise<void>) | undefined> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = path.join(this.dir, LOCK_FILE);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const handle = await fs.open(file, 'wx');
        await handle.writeFile(
          JSON.stringify({ pid: process.pid, at: this.now() }),
        );
        await handle.close();
        return () => fs.rm(file, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw error;
        }
      }
      const holder = await readJson<{ pid: number; at: number }>(file).catch(
        () => undefined,
      );
      if (holder && isAlive(holder.pid) && this.now() - holder.at < staleMs) {
        return undefined;
      }
      await fs.rm(file, { force: true });
    }
    return undefined;
  }
}
