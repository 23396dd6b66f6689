import {
  CopilotSeatCounts,
  GithubImportScope,
} from '@fawkes/plugin-ai-telemetry-common';
import { SeatActivity, SeatBreakdown } from './GithubClient';

const DAY_MS = 86_400_000;

/** The seat counts as the import keeps them: the organisation's, never a login. */
export type SeatSnapshot = {
  scope: GithubImportScope;
  fetchedAt: string;
  counts: CopilotSeatCounts;
  /** Set when the last attempt to read the seats failed (the counts are from `fetchedAt`). */
  stale?: boolean;
};

/**
 * The organisation's seat counts from every seat's activity (`last_activity_at`) and
 * cancellation (`pending_cancellation_date`), and the organisation's seat breakdown where
 * GitHub gives one. A seat is idle when not used in the last 28 days, never-used ones included.
 */
export function seatCounts(
  total: number,
  seats: readonly SeatActivity[],
  breakdown: SeatBreakdown | undefined,
  now: number,
): CopilotSeatCounts {
  const activeWithin = (days: number) =>
    seats.filter(
      seat =>
        seat.lastActivityAt !== null &&
        now - seat.lastActivityAt.getTime() <= days * DAY_MS,
    ).length;
  const activeLast28Days = activeWithin(28);
  const seatTotal = breakdown?.total ?? total;
  return {
    total: seatTotal,
    activeLast7Days: activeWithin(7),
    activeLast14Days: activeWithin(14),
    activeLast28Days,
    neverUsed: seats.filter(seat => seat.lastActivityAt === null).length,
    pendingCancellation:
      breakdown?.pendingCancellation ??
      seats.filter(seat => seat.pendingCancellation).length,
    idle: Math.max(0, seatTotal - activeLast28Days),
    ...(breakdown && { pendingInvitation: breakdown.pendingInvitation }),
  };
}
