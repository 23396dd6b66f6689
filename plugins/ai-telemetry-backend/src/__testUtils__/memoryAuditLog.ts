import { mockServices } from '@backstage/backend-test-utils';
import { AuditLog } from '../audit/AuditLog';
import { AuditRecord, AuditStore } from '../database/AuditStore';

/** An audit log kept in memory, for router tests: `records` holds what was written, oldest first. */
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
  return {
    audit: new AuditLog({ store, auditor: mockServices.auditor.mock() }),
    records,
  };
}
