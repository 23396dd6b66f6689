import { CustomErrorBase } from '@backstage/errors';

/**
 * An upstream (Prometheus, the Pushgateway) answered with an error (HTTP 502). Backstage's error
 * handler takes the status from `statusCode`; @backstage/errors has no type of its own for it.
 */
export class UpstreamError extends CustomErrorBase {
  name = 'UpstreamError' as const;
  readonly statusCode = 502;

  constructor(
    message: string,
    /** The upstream's own kind of error, e.g. Prometheus's `bad_data`, when it said. */
    readonly upstreamErrorType?: string,
    cause?: Error,
  ) {
    super(message, cause);
  }
}

/** An upstream did not answer in time (HTTP 504). */
export class UpstreamTimeoutError extends CustomErrorBase {
  name = 'UpstreamTimeoutError' as const;
  readonly statusCode = 504;
}
