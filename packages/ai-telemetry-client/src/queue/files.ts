import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** Temporary files start with this prefix; listings skip them. */
export const TEMP_PREFIX = '.tmp-';

/** Makes a directory entry (a create, rename or unlink) durable. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // Some platforms (Windows) cannot open or sync a directory; the rename is still atomic.
  } finally {
    await handle?.close();
  }
}

/**
 * Writes JSON so that a crash leaves either the old file or the complete new one:
 * a temporary file in the same directory, fsynced, renamed over the target, and the
 * directory fsynced.
 */
export async function writeJsonAtomic(
  file: string,
  value: unknown,
): Promise<void> {
  const dir = path.dirname(file);
  const temp = path.join(
    dir,
    `${TEMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`,
  );
  const handle = await fs.open(temp, 'wx');
  try {
    await handle.writeFile(JSON.stringify(value));
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
  await syncDirectory(dir);
}

/** Reads a JSON file; undefined when it does not exist. */
export async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw error;
  }
}

/** Removes files, then makes the removals durable. */
export async function removeFiles(dir: string, names: string[]): Promise<void> {
  if (names.length === 0) {
    return;
  }
  await Promise.all(
    names.map(name => fs.rm(path.join(dir, name), { force: true })),
  );
  await syncDirectory(dir);
}

/** The `.json` files of a directory in name order, temporary files left out. */
export async function listJsonFiles(dir: string): Promise<string[]> {
  try {
    const names = await fs.readdir(dir);
    return names
      .filter(name => name.endsWith('.json') && !name.startsWith('.'))
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return [];
    }
    throw error;
  }
}

/** Removes temporary files older than `maxAgeMs` that a crash left behind. */
export async function removeStaleTempFiles(
  dir: string,
  maxAgeMs: number,
  now: number,
): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return;
  }
  for (const name of names.filter(n => n.startsWith(TEMP_PREFIX))) {
    const file = path.join(dir, name);
    const stat = await fs.stat(file).catch(() => undefined);
    if (stat && now - stat.mtimeMs > maxAgeMs) {
      await fs.rm(file, { force: true });
    }
  }
}
