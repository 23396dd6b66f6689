import { AuditorService } from '@backstage/backend-plugin-api';
import { AuditLog } from '../audit/AuditLog';
import { AuditRecord, AuditStore } from '../database/AuditStore';

/** Backstage's auditor, doing nothing; plain functions, so that the benchmarks (no jest) run. */
const silentAuditor: AuditorService = {
  async createEvent() {
    return { async success() {}, async fail() {} };
  },
};

/**
 * An audit log kept in memory, for router tests and the benchmarks: `records` holds what was
 * written, oldest first.
 */
export function memoryAuditLog(): { audit: AuditLog; records: AuditRecord[] } {
  const records: AuditRecord[] = [];
  const store: AuditStore = {
    async add(entry) {
      records.push({ ...entry, id: String(records.length + 1) });
    },
    async list({ limit }) {
      return [...records].reverse().slice(0, limit);
    },
    async pruneOlderThan() {
      return 0;
    },
  };
  return { audit: new AuditLog({ store, auditor: silentAuditor }), records };
}
