import { createServer } from 'node:net';

export const sleep = (ms: number) =>
  new Promise<void>(resolve => setTimeout(resolve, ms));

/** A port on 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise(resolve => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** How {@link waitFor} polls, and what it adds to its error. */
export type WaitForOptions = {
  /** Time between two probes, in milliseconds (default 250). */
  intervalMs?: number;
  /** More to say when it times out, e.g. the logs of the processes involved. */
  details?: () => string | Promise<string>;
};

/**
 * Polls `probe` until it answers something other than undefined, or fails after `timeoutMs`
 * naming `what` and the last error the probe threw.
 */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
  options: WaitForOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const details = options.details ? `\n${await options.details()}` : '';
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${
          last ? `: ${last}` : ''
        }${details}`,
      );
    }
    await sleep(options.intervalMs ?? 250);
  }
}
