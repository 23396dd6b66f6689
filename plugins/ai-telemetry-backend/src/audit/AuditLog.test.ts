import { AuditorService } from '@backstage/backend-plugin-api';
import { AuditRecord, AuditStore } from '../database/AuditStore';
import { AuditLog } from './AuditLog';

function auditLog(add?: AuditStore['add']) {
  const records: Omit<AuditRecord, 'id'>[] = [];
  const events: string[] = [];
  const auditor: AuditorService = {
    async createEvent(options) {
      events.push(`${options.eventId} initiated`);
      return {
        async success() {
          events.push(`${options.eventId} succeeded`);
        },
        async fail({ error }) {
          events.push(`${options.eventId} failed: ${error.message}`);
        },
      };
    },
  };
  const store: AuditStore = {
    add:
      add ??
      (async entry => {
        records.push(entry);
      }),
    list: async () => [],
    pruneOlderThan: async () => 0,
  };
  return { audit: new AuditLog({ store, auditor }), records, events };
}

const ATTEMPT = {
  action: 'raw_query',
  actor: 'user:default/admin',
  subject: 'organisation',
  detail: 'asked: sum(x)',
} as const;

describe('AuditLog.attempt', () => {
  it('records the attempt while the work runs, and hands back its result once both are done', async () => {
    const order: string[] = [];
    let recorded = () => {};
    const { audit, events } = auditLog(async entry => {
      order.push(`recording ${entry.detail}`);
      await new Promise<void>(resolve => {
        recorded = resolve;
      });
      order.push('recorded');
    });
    let finished = false;
    const result = audit
      .attempt(
        ATTEMPT,
        async () => {
          order.push('working');
          return 42;
        },
        error => `failed: ${error.message}`,
      )
      .then(value => {
        finished = true;
        return value;
      });
    await new Promise(resolve => setTimeout(resolve, 10));
    expect(order).toEqual(['working', 'recording asked: sum(x)']);
    expect(finished).toBe(false);

    recorded();
    expect(await result).toBe(42);
    expect(events).toEqual(['raw-query initiated', 'raw-query succeeded']);
  });

  it('records a work that fails a second time, with why, and rethrows its error', async () => {
    const { audit, records, events } = auditLog();
    await expect(
      audit.attempt(
        ATTEMPT,
        async () => {
          throw new Error('Prometheus is down');
        },
        error => `not answered (${error.name}): sum(x)`,
      ),
    ).rejects.toThrow('Prometheus is down');
    expect(records.map(r => r.detail)).toEqual([
      'asked: sum(x)',
      'not answered (Error): sum(x)',
    ]);
    expect(events).toEqual([
      'raw-query initiated',
      'raw-query failed: Prometheus is down',
    ]);
  });

  it("does not hand back the result of an attempt that could not be recorded: the store's error instead", async () => {
    const { audit, events } = auditLog(async () => {
      throw new Error('database unreachable');
    });
    await expect(
      audit.attempt(
        ATTEMPT,
        async () => 42,
        () => 'failed',
      ),
    ).rejects.toThrow('database unreachable');
    expect(events).toEqual(['raw-query initiated']);
  });

  it('treats a work that throws at once like one that fails', async () => {
    const { audit, records } = auditLog();
    await expect(
      audit.attempt(
        ATTEMPT,
        () => {
          throw new Error('refused');
        },
        error => `not answered: ${error.message}`,
      ),
    ).rejects.toThrow('refused');
    expect(records.map(r => r.detail)).toEqual([
      'asked: sum(x)',
      'not answered: refused',
    ]);
  });
});
