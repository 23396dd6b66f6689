import { startHttpServer } from './httpServer';
import { freePort, waitFor } from './waiting';

describe('waitFor', () => {
  it('answers the first value the probe gives', async () => {
    let calls = 0;
    const value = await waitFor(
      'the third call',
      1000,
      async () => (++calls === 3 ? 'done' : undefined),
      { intervalMs: 1 },
    );
    expect([value, calls]).toEqual(['done', 3]);
  });

  it('times out naming what it waited for, the last error and the details', async () => {
    await expect(
      waitFor(
        'the impossible',
        20,
        async () => {
          throw new Error('still not');
        },
        { intervalMs: 5, details: async () => '--- the log' },
      ),
    ).rejects.toThrow(
      /^timed out after 20 ms waiting for the impossible: Error: still not\n--- the log$/,
    );
  });
});

describe('freePort and startHttpServer', () => {
  it('finds a port a server can listen on, and serves on a port of its own', async () => {
    const port = await freePort();
    const server = await startHttpServer((_req, res) => res.end('hi'));
    try {
      expect(port).toBeGreaterThan(0);
      expect(await (await fetch(server.url)).text()).toBe('hi');
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    } finally {
      await server.close();
    }
  });
});
