import { AuditorService } from '@backstage/backend-plugin-api';
import { isError } from '@backstage/errors';
import {
  AuditAction,
  AuditEntry,
  AuditLogResponse,
} from '@fawkes/plugin-ai-telemetry-common';
import { Request } from 'express';
import { setImmediate as nextTurn } from 'timers/promises';
import { AuditStore } from '../database/AuditStore';

/** The actor of what the erasure worker does. */
export const SYSTEM_ACTOR = 'system';

/** What happened, to whom, by whom. */
export type AuditInput = {
  action: AuditAction;
  /** An entity ref, or {@link SYSTEM_ACTOR}. */
  actor: string;
  /** Whose data it concerns. */
  subject: string;
  detail?: string;
  /** The HTTP request it came with, for Backstage's auditor (who, from where). */
  request?: Request;
};

/** Erasures and exports of personal data matter more than opt-in changes. */
function severityOf(action: AuditAction) {
  return action.startsWith('erasure') || action === 'data_exported'
    ? 'medium'
    : 'low';
}

/**
 * The audit log (docs/privacy-model.md#audit-log): every opt-in, opt-out, token change, export
 * and erasure step, kept in the plugin database for the privacy retention and readable by
 * administrators, and also written through Backstage's auditor service for the organisation's
 * own audit trail.
 */
export class AuditLog {
  constructor(
    private readonly options: { store: AuditStore; auditor: AuditorService },
  ) {}

  /** Keeps `input` in the audit log, with `detail` (the input's own when not given). */
  private keep(input: AuditInput, detail = input.detail): Promise<void> {
    return this.options.store.add({
      at: new Date(),
      action: input.action,
      actor: input.actor,
      subject: input.subject,
      ...(detail !== undefined && { detail }),
    });
  }

  /** Tells the auditor that `input` started, with its detail when it has one. */
  private started(input: AuditInput) {
    return this.options.auditor.createEvent({
      eventId: eventIdOf(input.action),
      severityLevel: severityOf(input.action),
      request: input.request,
      meta: {
        action: input.action,
        subject: input.subject,
        ...(input.detail !== undefined && { detail: input.detail }),
      },
    });
  }

  /**
   * Runs `work` as an audited action: the auditor sees it start and succeed or fail; the audit
   * log keeps it once it succeeded, with the detail `describe` gives of its result.
   */
  async track<T>(
    input: AuditInput,
    work: () => Promise<T>,
    describe?: (result: T) => string | undefined,
  ): Promise<T> {
    const event = await this.options.auditor.createEvent({
      eventId: eventIdOf(input.action),
      severityLevel: severityOf(input.action),
      request: input.request,
      meta: { action: input.action, subject: input.subject },
    });
    let result: T;
    try {
      result = await work();
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
    const detail = describe?.(result) ?? input.detail;
    await this.keep(input, detail);
    await event.success({ meta: detail === undefined ? {} : { detail } });
    return result;
  }

  /**
   * Runs `work` as an audited attempt whose result may be used only once it is on record: the
   * audit log keeps `input` (who tried what) and the auditor sees the attempt start while the
   * work runs, so that recording adds no time of its own, and the result is handed back once
   * both are done. A work that fails is recorded once more, with the detail `describeFailure`
   * gives, and its error rethrown; an attempt that could not be recorded is not answered: the
   * store's error is thrown instead of the result.
   */
  async attempt<T>(
    input: AuditInput,
    work: () => Promise<T>,
    describeFailure: (error: Error) => string,
  ): Promise<T> {
    let working: Promise<T>;
    try {
      working = work();
    } catch (error) {
      working = Promise.reject(error);
    }
    // The record is started once the work is waiting (the next turn of the event loop): what
    // writing it costs in this process does not hold up the work's own start.
    const recording = nextTurn().then(() =>
      Promise.all([this.keep(input), this.started(input)]),
    );
    const [worked, recorded] = await Promise.allSettled([working, recording]);
    if (worked.status === 'rejected') {
      const error = isError(worked.reason)
        ? worked.reason
        : new Error(String(worked.reason));
      await this.keep(input, describeFailure(error));
      if (recorded.status === 'fulfilled') {
        await recorded.value[1].fail({ error });
      }
      throw error;
    }
    if (recorded.status === 'rejected') throw recorded.reason;
    await recorded.value[1].success();
    return worked.value;
  }

  /**
   * Records something that happened (an erasure step done, or an attempt that failed with
   * `error`), in the audit log and through the auditor.
   */
  async record(input: AuditInput & { error?: Error }): Promise<void> {
    await this.keep(input);
    const event = await this.started(input);
    await (input.error ? event.fail({ error: input.error }) : event.success());
  }

  /** A page of the audit log, newest first. */
  async list(options: {
    limit: number;
    before?: string;
    subject?: string;
  }): Promise<AuditLogResponse> {
    // One more than asked, to know whether an older page exists.
    const records = await this.options.store.list({
      ...options,
      limit: options.limit + 1,
    });
    const page = records.slice(0, options.limit);
    const entries: AuditEntry[] = page.map(record => ({
      id: record.id,
      at: record.at.toISOString(),
      action: record.action,
      actor: record.actor,
      subject: record.subject,
      ...(record.detail !== undefined && { detail: record.detail }),
    }));
    return records.length > options.limit
      ? { entries, nextBefore: page[page.length - 1].id }
      : { entries };
  }
}

/** Auditor event ids are kebab-case: `erasure_step` → `erasure-step`. */
function eventIdOf(action: AuditAction): string {
  return action.replace(/_/g, '-');
}
