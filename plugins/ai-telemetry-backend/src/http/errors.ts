import { CustomErrorBase } from '@backstage/errors';

/**
 * The request body is larger than the route accepts (HTTP 413). Backstage's error handler
 * takes the status from `statusCode`; @backstage/errors has no type of its own for it.
 */
export class PayloadTooLargeError extends CustomErrorBase {
  name = 'PayloadTooLargeError' as const;
  readonly statusCode = 413;
}
