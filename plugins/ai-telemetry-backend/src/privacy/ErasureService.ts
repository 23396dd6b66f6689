import { NotFoundError } from '@backstage/errors';
import {
  ERASURE_STEPS,
  ErasureJob,
  ErasureStep,
} from '@fawkes/plugin-ai-telemetry-common';
import { Request } from 'express';
import { PseudonymCache } from '../optIn/PseudonymCache';
import { AuditLog } from '../audit/AuditLog';
import { ErasureJobRecord, ErasureStore } from '../database/ErasureStore';

/** The steps of a new job: all pending. */
export function pendingSteps(): ErasureStep[] {
  return ERASURE_STEPS.map(name => ({ name, state: 'pending', attempts: 0 }));
}

/** A job as the API shows it. */
export function toErasureJob(record: ErasureJobRecord): ErasureJob {
  const open = record.state !== 'done' && record.state !== 'failed';
  const current = record.steps[record.stepIndex];
  const waiting =
    record.state === 'retrying' ||
    (current?.name === 'wait_for_scrapes' && current.state === 'running');
  return {
    id: record.id,
    userEntityRef: record.userEntityRef,
    requestedBy: record.requestedBy,
    state: record.state,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
    ...(record.finishedAt && { finishedAt: record.finishedAt.toISOString() }),
    ...(open &&
      waiting && { nextAttemptAt: record.nextAttemptAt.toISOString() }),
    ...(open && record.lastError && { lastError: record.lastError }),
    failedAttempts: record.failedAttempts,
    ...(record.reason && { reason: record.reason }),
    steps: record.steps,
  };
}

/**
 * Erasure requests (docs/privacy-model.md#erasure): a user's own, or an administrator's on a
 * user's behalf. The request only records a durable job; the {@link ErasureWorker} of whichever
 * backend instance comes first carries it out.
 */
export class ErasureService {
  constructor(
    private readonly options: {
      store: ErasureStore;
      pseudonyms: PseudonymCache;
      audit: AuditLog;
      /** Whether the portal knows the user (catalog or opt-in registry). */
      isKnownUser: (userEntityRef: string) => Promise<boolean>;
    },
  ) {}

  /**
   * An administrator's request on a user's behalf: only for a user the portal knows (a User in
   * the catalog, or anyone in the opt-in registry, who may have left the catalog since); a
   * NotFoundError otherwise, before anything reaches the audit log.
   */
  async requestOnBehalf(options: {
    userEntityRef: string;
    requestedBy: string;
    reason?: string;
    request?: Request;
  }): Promise<ErasureJob> {
    if (!(await this.options.isKnownUser(options.userEntityRef))) {
      throw new NotFoundError(
        `There is no user ${options.userEntityRef} in the catalog or the opt-in registry`,
      );
    }
    return this.request(options);
  }

  /**
   * Opens an erasure job for the user, or answers the one that is open already, and records the
   * request in the audit log.
   */
  async request(options: {
    userEntityRef: string;
    requestedBy: string;
    reason?: string;
    request?: Request;
  }): Promise<ErasureJob> {
    const { store, pseudonyms, audit } = this.options;
    const { userEntityRef, requestedBy, reason } = options;
    const { job } = await audit.track(
      {
        action: 'erasure_requested',
        actor: requestedBy,
        subject: userEntityRef,
        request: options.request,
      },
      async () =>
        store.open({
          userEntityRef,
          userHash: await pseudonyms.of(userEntityRef),
          requestedBy,
          reason,
          steps: pendingSteps(),
          now: new Date(),
        }),
      result =>
        `${result.created ? 'opened' : 'already open:'} job ${result.job.id}${
          reason ? `; reason: ${reason}` : ''
        }`,
    );
    return toErasureJob(job);
  }

  /** The user's jobs, newest first. */
  async jobsOf(userEntityRef: string): Promise<ErasureJob[]> {
    return (await this.options.store.listForUser(userEntityRef)).map(
      toErasureJob,
    );
  }

  /** Whether an erasure of the user's data is under way. */
  hasOpenJob(userEntityRef: string): Promise<boolean> {
    return this.options.store.hasOpenJob(userEntityRef);
  }
}
