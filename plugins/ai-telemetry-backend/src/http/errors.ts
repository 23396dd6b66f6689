import { CustomErrorBase } from '@backstage/errors';
import { Response } from 'express';

/**
 * The request body is larger than the route accepts (HTTP 413). Backstage's error handler
 * takes the status from `statusCode`; @backstage/errors has no type of its own for it.
 */
export class PayloadTooLargeError extends CustomErrorBase {
  name = 'PayloadTooLargeError' as const;
  readonly statusCode = 413;
}

/**
 * The caller is over a rate or concurrency limit (HTTP 429); the response carries
 * `Retry-After`. Nothing of the refused request was done.
 */
export class TooManyRequestsError extends CustomErrorBase {
  name = 'TooManyRequestsError' as const;
  readonly statusCode = 429;

  constructor(message: string, readonly retryAfterSeconds: number) {
    super(message);
  }
}

/**
 * Sets `Retry-After` on the response and returns the 429 to throw, for Backstage's error
 * handler to answer (it keeps the headers already set).
 */
export function tooManyRequests(
  res: Response,
  message: string,
  retryAfterSeconds: number,
): TooManyRequestsError {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  res.setHeader('Retry-After', String(seconds));
  return new TooManyRequestsError(
    `${message}; try again in ${seconds} s`,
    seconds,
  );
}
