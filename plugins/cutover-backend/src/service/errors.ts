import { CustomErrorBase } from '@backstage/errors';

/** 413: a body larger than the route accepts. The framework answers with `statusCode`. */
export class PayloadTooLargeError extends CustomErrorBase {
  name = 'PayloadTooLargeError';
  statusCode = 413;
}

/** 429: a limit on concurrent or repeated work was reached; the message names it. */
export class TooManyRequestsError extends CustomErrorBase {
  name = 'TooManyRequestsError';
  statusCode = 429;
}
