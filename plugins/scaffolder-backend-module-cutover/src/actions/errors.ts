import { ResponseError } from '@backstage/errors';

/**
 * Runs a call to the cutover backend, turning its refusals into errors that say why: a template's
 * log then shows "NotAllowedError: ... may not make group:default/orders-team the owner", not
 * "Request failed with 403 Forbidden".
 */
export async function explained<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof ResponseError && e.cause?.message) {
      const error = new Error(`${e.cause.name ?? 'Error'}: ${e.cause.message}`);
      error.name = e.cause.name ?? 'Error';
      throw error;
    }
    throw e;
  }
}
