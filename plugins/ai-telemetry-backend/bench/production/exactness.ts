/* eslint-disable no-console */
/**
 * The end of a run with IDE senders: every sender's queue sent, then every sender's totals
 * compared, series by series, with what the backend's metrics endpoint serves and with what
 * Prometheus holds (the latest sample of the backend's scrapes). Exact means equal: nothing
 * lost, nothing counted twice.
 */
import { waitFor } from '@fawkes/ai-telemetry-test-utils';
import {
  differences,
  IdeSender,
  prometheusCounters,
  servedCounters,
} from './ideSenders';
import { ProductionStack } from './productionStack';
import { table } from './stats';

/** Drains every sender and compares; prints a table per sender and answers whether all agree. */
export async function checkExactness(
  stack: ProductionStack,
  senders: IdeSender[],
): Promise<boolean> {
  const drainStarted = Date.now();
  const left = await Promise.all(senders.map(s => s.drain(180_000)));
  console.log(
    `\nIDE queues sent in ${((Date.now() - drainStarted) / 1000).toFixed(
      0,
    )} s ` + `(${left.reduce((a, b) => a + b, 0)} events left in queues)`,
  );
  const hashes = senders.map(s => s.person.userHash);
  const exactIn = async (
    source: () => Promise<Map<string, Map<string, number>>>,
  ): Promise<Map<string, Map<string, number>>> => {
    let last = new Map<string, Map<string, number>>();
    // New series are served at 0 for aiTelemetry.metrics.newSeriesZeroSeconds (15 s here) and
    // Prometheus scrapes every 5 s: wait for the totals to arrive, then keep what is there.
    await waitFor('the totals to agree', 120_000, async () => {
      last = await source();
      return senders.every(
        s => differences(s.expected, last.get(s.person.userHash)).length === 0,
      )
        ? true
        : undefined;
    }).catch(() => undefined);
    return last;
  };
  const t0 = Date.now();
  const served = await exactIn(() =>
    servedCounters(stack.api, stack.scrapeToken),
  );
  const servedSeconds = (Date.now() - t0) / 1000;
  const t1 = Date.now();
  const held = await exactIn(() =>
    prometheusCounters(stack.prometheus.url, hashes),
  );
  const heldSeconds = (Date.now() - t1) / 1000;

  let exact = true;
  const problems: string[] = [];
  const rows = await Promise.all(
    senders.map(async s => {
      const status = await s.client.status();
      const servedDiff = differences(s.expected, served.get(s.person.userHash));
      const heldDiff = differences(s.expected, held.get(s.person.userHash));
      if (
        servedDiff.length ||
        heldDiff.length ||
        status.queuedEvents ||
        status.deadLetters
      ) {
        exact = false;
        problems.push(
          ...servedDiff.map(d => `${s.person.name}, metrics endpoint: ${d}`),
          ...heldDiff.map(d => `${s.person.name}, Prometheus: ${d}`),
        );
      }
      const total = [...s.expected.values()].reduce((a, b) => a + b, 0);
      const verdict = (diff: string[]) =>
        diff.length === 0
          ? `exact (${s.expected.size} series)`
          : `${diff.length} differ`;
      return [
        s.person.name,
        String(s.recorded),
        String(s.acknowledged),
        String(s.duplicateAnswers),
        String(status.queuedEvents),
        String(status.deadLetters),
        total.toFixed(0),
        verdict(servedDiff),
        verdict(heldDiff),
      ];
    }),
  );
  console.log(
    table(
      [
        'sender',
        'events recorded',
        'acknowledged',
        'duplicate answers',
        'left queued',
        'dead letters',
        'sum of totals',
        'metrics endpoint',
        'Prometheus',
      ],
      rows,
    ),
  );
  const recorded = senders.reduce((a, s) => a + s.recorded, 0);
  const acknowledged = senders.reduce((a, s) => a + s.acknowledged, 0);
  const duplicates = senders.reduce((a, s) => a + s.duplicateAnswers, 0);
  const lostAnswers = senders.reduce((a, s) => a + s.duplicateAccepted, 0);
  console.log(
    `all senders: ${recorded} events recorded, ${acknowledged} acknowledged as counted, ` +
      `${duplicates} batches answered as duplicates (a retry of a batch already counted, ` +
      `${lostAnswers} events whose first answer was lost); ` +
      `metrics endpoint agreed after ${servedSeconds.toFixed(
        0,
      )} s, Prometheus after ${heldSeconds.toFixed(0)} s`,
  );
  if (recorded !== acknowledged + lostAnswers) {
    exact = false;
    problems.push(
      `the backend acknowledged ${acknowledged} + ${lostAnswers} events as counted, the senders recorded ${recorded}`,
    );
  }
  console.log(
    exact ? 'EXACT: nothing lost, nothing counted twice' : 'NOT EXACT:',
  );
  for (const p of problems.slice(0, 40)) console.log(`  ${p}`);
  if (problems.length > 40) console.log(`  … and ${problems.length - 40} more`);
  return exact;
}
