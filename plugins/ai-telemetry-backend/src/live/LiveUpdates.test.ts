import { mockServices } from '@backstage/backend-test-utils';
import { announcementDelays, LiveUpdates } from './LiveUpdates';

/** A 30 s scrape, 3 s for it to finish, the dashboards' 15 s clock. */
const DELAY_S = 48;
const INTERVAL_S = 5;

function setUp(
  publish = jest.fn().mockResolvedValue(undefined),
  newSeriesZeroSeconds = 0,
) {
  const logger = mockServices.logger.mock();
  const live = new LiveUpdates({
    signals: { publish },
    logger,
    timing: {
      scrapeIntervalSeconds: 30,
      signalIntervalSeconds: INTERVAL_S,
      newSeriesZeroSeconds,
    },
  });
  return { live, publish, logger };
}

const at = (seconds: number) =>
  Date.parse('2026-11-20T10:00:00Z') + seconds * 1000;

function announcedAt(publish: jest.Mock): number[] {
  return publish.mock.calls.map(([signal]) => signal.message.at);
}

/** Moves the fake clock on by `seconds`, running the timers (and their promises) due. */
async function advance(seconds: number) {
  await jest.advanceTimersByTimeAsync(seconds * 1000);
}

describe('LiveUpdates', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-11-20T10:00:00Z') });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('waits for the next scrape and the dashboards to read now past it, and again for new series', () => {
    const timing = { scrapeIntervalSeconds: 30, signalIntervalSeconds: 5 };
    expect(announcementDelays({ ...timing, newSeriesZeroSeconds: 0 })).toEqual([
      DELAY_S,
    ]);
    // A new label combination is served at 0 for 60 s after its first scrape: one scrape more.
    expect(announcementDelays({ ...timing, newSeriesZeroSeconds: 60 })).toEqual(
      [DELAY_S, DELAY_S + 60 + 30],
    );
    // The development stack: 5 s scrapes, new series at 0 for 15 s.
    expect(
      announcementDelays({
        scrapeIntervalSeconds: 5,
        signalIntervalSeconds: 5,
        newSeriesZeroSeconds: 15,
      }),
    ).toEqual([23, 43]);
  });

  it('announces a burst of stored counters once, after the scrape delay, to everyone and without data', async () => {
    const { live, publish } = setUp();

    for (let i = 0; i < 50; i++) live.countersStored();
    await advance(DELAY_S - 0.001);
    expect(publish).not.toHaveBeenCalled();

    await advance(0.001);
    expect(publish).toHaveBeenCalledTimes(1);
    expect(publish).toHaveBeenCalledWith({
      recipients: { type: 'broadcast' },
      channel: 'ai-telemetry:data',
      message: {
        kind: 'counters-updated',
        at: Date.parse('2026-11-20T10:00:48Z'),
      },
    });
    // No identity, no figure: the message holds nothing but its kind and its time.
    expect(Object.keys(publish.mock.calls[0][0].message).sort()).toEqual([
      'at',
      'kind',
    ]);

    await advance(600);
    expect(publish).toHaveBeenCalledTimes(1);
  });

  it('sends nothing when nothing was stored', async () => {
    const { publish } = setUp();
    await advance(600);
    expect(publish).not.toHaveBeenCalled();
  });

  it('announces counters stored while it waited once they are ready too, never two within the interval', async () => {
    const { live, publish } = setUp();

    live.countersStored(); // t = 0: ready at 48
    await advance(40);
    live.countersStored(); // t = 40: ready at 88
    await advance(8);
    live.countersStored(); // t = 48: ready at 96
    await advance(2);
    live.countersStored(); // t = 50: ready at 98, 2 s after the one at 96
    await advance(600);

    // At 88 the newest pending change (ready at 98) stands for the ones ready at 96 and 98.
    expect(announcedAt(publish)).toEqual([at(48), at(88), at(98)]);
  });

  it('keeps announcing under a steady stream of events, about once per scrape delay', async () => {
    const { live, publish } = setUp();
    for (let t = 0; t < 300; t++) {
      live.countersStored();
      await advance(1);
    }
    const times = publish.mock.calls.map(([signal]) => signal.message.at);
    // 48, 95, 142, 189, 236, 283: never starved by the stream, never more often than allowed.
    expect(times.length).toBe(6);
    for (let i = 1; i < times.length; i++) {
      const gap = times[i] - times[i - 1];
      expect(gap).toBeGreaterThanOrEqual(INTERVAL_S * 1000);
      expect(gap).toBeLessThanOrEqual(DELAY_S * 1000);
    }
  });

  it('announces a burst once more when new series can have left their hold at 0', async () => {
    const { live, publish } = setUp(undefined, 60);
    for (let i = 0; i < 20; i++) live.countersStored();
    await advance(600);
    expect(announcedAt(publish)).toEqual([at(48), at(138)]);
  });

  it('keeps a steady stream announced about once per scrape delay, with its follow-ups', async () => {
    const { live, publish } = setUp(undefined, 60);
    for (let t = 0; t < 300; t++) {
      live.countersStored();
      await advance(1);
    }
    const times = announcedAt(publish);
    for (let i = 1; i < times.length; i++) {
      const gap = times[i] - times[i - 1];
      expect(gap).toBeGreaterThanOrEqual(INTERVAL_S * 1000);
      expect(gap).toBeLessThanOrEqual(DELAY_S * 1000);
    }
  });

  it('announces a finished erasure at once, and not twice within the interval', async () => {
    const { live, publish } = setUp();

    live.dataErased();
    await advance(0);
    expect(publish).toHaveBeenCalledTimes(1);

    live.dataErased();
    await advance(INTERVAL_S - 0.001);
    expect(publish).toHaveBeenCalledTimes(1);
    await advance(0.001);
    expect(publish).toHaveBeenCalledTimes(2);
  });

  it('brings an announcement forward for an erasure, and still announces the counters when ready', async () => {
    const { live, publish } = setUp();

    live.countersStored(); // ready at 48
    await advance(10);
    live.dataErased();
    await advance(0);
    expect(publish).toHaveBeenCalledTimes(1);
    await advance(DELAY_S - 10 - 0.001);
    expect(publish).toHaveBeenCalledTimes(1);
    await advance(0.001);
    expect(publish).toHaveBeenCalledTimes(2);
  });

  it('logs a failed publication and announces the next change', async () => {
    const publish = jest.fn();
    const { live, logger } = setUp(publish);
    publish.mockRejectedValueOnce(new Error('events bus is down'));

    live.dataErased();
    await advance(0);
    expect(logger.warn).toHaveBeenCalledWith(
      'Could not tell open pages about new AI telemetry data: events bus is down',
    );

    live.dataErased();
    await advance(INTERVAL_S);
    expect(publish).toHaveBeenCalledTimes(2);
  });

  it('announces nothing after it was stopped', async () => {
    const { live, publish } = setUp();
    live.countersStored();
    live.stop();
    live.countersStored();
    await advance(600);
    expect(publish).not.toHaveBeenCalled();
  });
});
