import { GithubImportErrorReason } from '@fawkes/plugin-ai-telemetry-common';

/**
 * A failure of the import, classified as admins see it (`GithubImportError.reason`). `retryAt`
 * is when GitHub allows the next request (its `Retry-After` or rate-limit reset); the import
 * waits for it, within a run when it is soon, else until a later run.
 */
export class GithubImportFailure extends Error {
  name = 'GithubImportFailure' as const;

  constructor(
    readonly reason: GithubImportErrorReason,
    message: string,
    readonly options: { status?: number; retryAt?: Date; cause?: Error } = {},
  ) {
    super(message, options.cause ? { cause: options.cause } : undefined);
  }

  get status(): number | undefined {
    return this.options.status;
  }

  get retryAt(): Date | undefined {
    return this.options.retryAt;
  }
}
