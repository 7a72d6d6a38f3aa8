/**
 * Retries of {@link CutoverClient} calls: only calls that can be repeated without doing their work
 * twice, only on failures that say "try again", with exponential backoff and jitter.
 */

/**
 * Retrying of idempotent calls by {@link CutoverClient}: GET, HEAD, PUT and DELETE, and POSTs whose
 * body carries an `idempotencyKey`. They are retried when the request fails on the network or the
 * backend answers 429, 502, 503 or 504; other answers are final.
 * @public
 */
export interface CutoverRetryOptions {
  /** Retries after the first attempt (default 3); 0 turns retrying off. */
  retries?: number;
  /**
   * The wait before the first retry (default 500 ms). It doubles with every retry, and each wait
   * is drawn between half of it and all of it, so that clients that failed together spread out.
   */
  minDelayMs?: number;
  /**
   * The longest wait between two attempts (default 30 s). A `Retry-After` longer than this ends
   * the retries: the answer is returned as it is rather than waiting longer than allowed.
   */
  maxDelayMs?: number;
  /** Called before each wait, to log it. */
  onRetry?: (event: CutoverRetryEvent) => void;
}

/** One retry about to happen. @public */
export interface CutoverRetryEvent {
  method: string;
  url: string;
  /** 1 for the first retry. */
  retry: number;
  /** The retries allowed in all. */
  retries: number;
  /** How long the client waits before sending again. */
  delayMs: number;
  /** The status of the failed answer, or undefined when the request failed on the network. */
  status?: number;
  /** What went wrong, for people: `503 Service Unavailable`, `fetch failed (ECONNREFUSED)`. */
  reason: string;
}

const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** Whether sending a request twice does what sending it once does. */
export function isIdempotentRequest(method: string, body: unknown): boolean {
  const m = method.toUpperCase();
  if (IDEMPOTENT_METHODS.has(m)) return true;
  return (
    m === 'POST' &&
    typeof body === 'object' &&
    body !== null &&
    typeof (body as { idempotencyKey?: unknown }).idempotencyKey === 'string' &&
    (body as { idempotencyKey: string }).idempotencyKey !== ''
  );
}

/**
 * The wait a `Retry-After` header asks for (delta-seconds or an HTTP date), in milliseconds;
 * undefined when there is none or it can't be read.
 */
export function parseRetryAfter(
  value: string | null,
  now: number,
): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at) || !/[a-z]/i.test(text)) return undefined;
  return Math.max(0, at - now);
}

/** The wait before retry number `retry` (1-based): exponential, capped, with jitter. */
export function backoffDelayMs(
  retry: number,
  options: { minDelayMs: number; maxDelayMs: number },
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(
    options.maxDelayMs,
    options.minDelayMs * 2 ** (retry - 1),
  );
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

function describeNetworkError(error: unknown): string {
  const e = error as {
    message?: string;
    cause?: { code?: string; message?: string };
  };
  const why = e?.cause?.code ?? e?.cause?.message;
  return `${e?.message ?? String(error)}${why ? ` (${why})` : ''}`;
}

function isAbort(error: unknown): boolean {
  return (error as { name?: string })?.name === 'AbortError';
}

/**
 * Sends a request with `send`, again after a wait when it may be retried and failed in a way worth
 * retrying. Resolves to the last answer (a failed one included: the caller turns it into an error)
 * or rejects with the last network error.
 */
export async function sendWithRetry(
  send: () => Promise<Response>,
  request: { method: string; url: string; body?: unknown },
  options: CutoverRetryOptions | undefined,
): Promise<Response> {
  const retries =
    options && isIdempotentRequest(request.method, request.body)
      ? Math.max(0, Math.floor(options.retries ?? 3))
      : 0;
  const delays = {
    minDelayMs: Math.max(0, options?.minDelayMs ?? 500),
    maxDelayMs: Math.max(0, options?.maxDelayMs ?? 30_000),
  };
  for (let retry = 1; ; retry++) {
    let response: Response | undefined;
    let failure: unknown;
    try {
      response = await send();
    } catch (e) {
      if (isAbort(e)) throw e;
      failure = e;
    }
    if (response && !RETRYABLE_STATUSES.has(response.status)) return response;
    if (retry > retries) {
      if (response) return response;
      throw failure;
    }
    let delayMs = backoffDelayMs(retry, delays);
    if (response) {
      const asked = parseRetryAfter(
        response.headers.get('retry-after'),
        Date.now(),
      );
      if (asked !== undefined) {
        if (asked > delays.maxDelayMs) return response;
        delayMs = Math.max(delayMs, asked);
      }
      // Read the failed answer to the end so that its connection can be reused.
      await response.arrayBuffer().catch(() => undefined);
    }
    options?.onRetry?.({
      method: request.method,
      url: request.url,
      retry,
      retries,
      delayMs,
      status: response?.status,
      reason: response
        ? `${response.status} ${response.statusText}`.trim()
        : describeNetworkError(failure),
    });
    await new Promise(resolve => setTimeout(resolve, delayMs));
  }
}
