import { createServer } from 'node:net';

export const sleep = (ms: number) =>
  new Promise<void>(resolve => setTimeout(resolve, ms));

/**
 * Ports handed out by {@link freePort}: below Linux's ephemeral range (32768–60999), where the
 * system picks the source ports of outgoing connections and `listen(0)` ports, so that a port
 * found free is not taken by some connection before the process it is meant for binds it; and
 * above the fixed ports of the development and test stacks (all under 20000).
 */
const FREE_PORT_RANGE = { from: 20000, to: 32767 };

function bindable(port: number): Promise<number | undefined> {
  const server = createServer();
  return new Promise(resolve => {
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        resolve(
          address && typeof address !== 'string' ? address.port : undefined,
        ),
      );
    });
  });
}

/** A port on 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
  const { from, to } = FREE_PORT_RANGE;
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = from + Math.floor(Math.random() * (to - from + 1));
    const bound = await bindable(port);
    if (bound) return bound;
  }
  const any = await bindable(0);
  if (!any) throw new Error('no free port');
  return any;
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
