import { AuditAction } from '@fawkes/plugin-ai-telemetry-common';

/** An entry of the audit log as stored. Entity refs are in lower case. */
export type AuditRecord = {
  id: string;
  at: Date;
  action: AuditAction;
  /** An entity ref, or `system` for the erasure worker. */
  actor: string;
  /** Whose data it concerns. */
  subject: string;
  detail?: string;
};

/** The audit log of opt-ins, opt-outs, token changes, exports and erasures. */
export interface AuditStore {
  add(entry: Omit<AuditRecord, 'id'>): Promise<void>;

  /**
   * Entries newest first: at most `limit`, older than the entry `before` when given, only
   * those about `subject` when given.
   */
  list(options: {
    limit: number;
    before?: string;
    subject?: string;
  }): Promise<AuditRecord[]>;

  /** Forgets entries older than `olderThan`; returns how many. */
  pruneOlderThan(olderThan: Date): Promise<number>;
}
