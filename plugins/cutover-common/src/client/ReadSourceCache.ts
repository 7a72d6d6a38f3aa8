import { z } from 'zod';
import { READ_SOURCES } from '../types';
import type { ReadSources } from '../types';

/** Options of {@link ReadSourceCache}. @public */
export interface ReadSourceCacheOptions {
  /** The cutover backend, e.g. `https://backstage.example.com/api/cutover`. */
  baseUrl: string;
  /** A Backstage service token (static external access or JWKS) allowed `cutover.migration.read`. */
  token?: string;
  /** How long an answer is used before asking again; also the wait after a failed request. Default 10 s. */
  cacheTtlMs?: number;
  /**
   * How long the last answer is still used, past `cacheTtlMs`, while the portal can't be asked.
   * After that nothing is known (readers fall back to LEGACY, the safe side). Default 60 s.
   */
  maxStaleMs?: number;
  /** Per-request timeout. Default 2 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Called when the portal could not be asked (for the application's own logging). */
  onError?: (error: Error, migrationId: string) => void;
  clock?: () => number;
}

/**
 * Why the portal gave no usable answer: it could not be reached in time (`UNREACHABLE`), answered
 * 404 (`NOT_FOUND`), 401 or 403 (`UNAUTHORIZED`), another error status (`HTTP_ERROR`), or a body
 * that is not a read-sources answer (`INVALID_ANSWER`).
 * @public
 */
export type ReadSourceFailureKind =
  | 'UNREACHABLE'
  | 'NOT_FOUND'
  | 'UNAUTHORIZED'
  | 'HTTP_ERROR'
  | 'INVALID_ANSWER';

/** A failed request for a migration's switches. @public */
export interface ReadSourceFailure {
  kind: ReadSourceFailureKind;
  /** What went wrong, for people: the portal's status and message, or why it was not reached. */
  message: string;
  /** The error itself (as `onError` receives it). */
  error: Error;
  at: number;
}

/**
 * What is known of one migration's switches now, by the outage rules: `FRESH` (the last request
 * was answered and the answer is at most `cacheTtlMs + maxStaleMs` old), `STALE` (the portal
 * failed since, and the last answer is still within that age) or `NONE` (nothing usable: never
 * answered, or the answer is older).
 * @public
 */
export interface ReadSourceView {
  state: 'FRESH' | 'STALE' | 'NONE';
  /** The answer in use (FRESH or STALE). */
  answer?: ReadSources;
  /** When that answer was received. */
  answeredAt?: number;
  /** The last failure, when the portal has not answered since. */
  failure?: ReadSourceFailure;
  /** Whether the portal ever answered for this migration. */
  everAnswered: boolean;
}

/** What one finished request changed: handed to {@link ReadSourceCache.subscribe} listeners. @public */
export interface ReadSourceUpdate {
  migrationId: string;
  /** The last answer received before the request, if any (even one too old to use). */
  previous?: ReadSources;
  /** The view after the request. */
  view: ReadSourceView;
}

const readSourceSchema = z.enum(READ_SOURCES);
const readSourcesAnswerSchema = z.object({
  migrationId: z.string(),
  datasets: z.record(z.string(), readSourceSchema),
  rollouts: z
    .record(
      z.string(),
      z.object({
        source: readSourceSchema,
        percent: z.number().min(0).max(100),
      }),
    )
    .optional(),
  updatedAt: z.string().optional(),
});

interface Entry {
  answer?: ReadSources;
  answeredAt?: number;
  failure?: ReadSourceFailure;
  attemptedAt?: number;
  inFlight?: Promise<void>;
}

class FailedRequest extends Error {
  constructor(readonly kind: ReadSourceFailureKind, message: string) {
    super(message);
  }
}

/**
 * The caching and outage rules of read switches, shared by `ReadSourceClient` and the OpenFeature
 * provider: one answer per migration, asked again at most every `cacheTtlMs` (after a failure as
 * well), one request shared by concurrent callers, a per-request timeout, the last answer kept for
 * `maxStaleMs` while the portal can't be asked, then nothing. It never throws.
 * @public
 */
export class ReadSourceCache {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<(update: ReadSourceUpdate) => void>();
  private readonly baseUrl: string;
  private readonly cacheTtlMs: number;
  private readonly usableMs: number;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly clock: () => number;

  constructor(private readonly options: ReadSourceCacheOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.cacheTtlMs = options.cacheTtlMs ?? 10_000;
    this.usableMs = this.cacheTtlMs + (options.maxStaleMs ?? 60_000);
    this.timeoutMs = options.timeoutMs ?? 2_000;
    this.fetchImpl = options.fetch ?? ((...args) => fetch(...args));
    this.clock = options.clock ?? Date.now;
  }

  /** What is known of a migration's switches now, without asking the portal. */
  view(migrationId: string): ReadSourceView {
    const entry = this.entries.get(migrationId);
    if (!entry) return { state: 'NONE', everAnswered: false };
    const { answer, answeredAt, failure } = entry;
    const everAnswered = answer !== undefined;
    if (!answer || this.clock() - answeredAt! > this.usableMs) {
      return { state: 'NONE', failure, everAnswered };
    }
    return failure
      ? { state: 'STALE', answer, answeredAt, failure, everAnswered }
      : { state: 'FRESH', answer, answeredAt, everAnswered };
  }

  /** Whether the portal should be asked again: never asked, or last asked `cacheTtlMs` ago or more. */
  isDue(migrationId: string): boolean {
    const attemptedAt = this.entries.get(migrationId)?.attemptedAt;
    return (
      attemptedAt === undefined || this.clock() - attemptedAt >= this.cacheTtlMs
    );
  }

  /** Asks the portal when due (or joins the request under way), then tells what is known. */
  async get(migrationId: string): Promise<ReadSourceView> {
    await this.refreshIfDue(migrationId);
    return this.view(migrationId);
  }

  /** Asks the portal when due, or joins the request under way. */
  refreshIfDue(migrationId: string): Promise<void> {
    const entry = this.entries.get(migrationId);
    if (entry?.inFlight) return entry.inFlight;
    return this.isDue(migrationId)
      ? this.refresh(migrationId)
      : Promise.resolve();
  }

  /** Asks the portal now, or joins the request under way. */
  refresh(migrationId: string): Promise<void> {
    let entry = this.entries.get(migrationId);
    if (!entry) {
      entry = {};
      this.entries.set(migrationId, entry);
    }
    if (entry.inFlight) return entry.inFlight;
    const current = entry;
    const request = this.ask(migrationId, current).finally(() => {
      current.inFlight = undefined;
    });
    current.inFlight = request;
    return request;
  }

  /** Every migration asked about so far. */
  migrationIds(): string[] {
    return [...this.entries.keys()];
  }

  /** Calls `listener` after every finished request; returns the unsubscribe function. */
  subscribe(listener: (update: ReadSourceUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private async ask(migrationId: string, entry: Entry) {
    const previous = entry.answer;
    try {
      const answer = await this.request(migrationId);
      entry.answer = answer;
      entry.answeredAt = this.clock();
      entry.failure = undefined;
    } catch (e) {
      const error = asError(e);
      const failure: ReadSourceFailure =
        error instanceof FailedRequest
          ? {
              kind: error.kind,
              message: error.message,
              error,
              at: this.clock(),
            }
          : {
              kind: 'UNREACHABLE',
              message: this.unreachable(error),
              error,
              at: this.clock(),
            };
      entry.failure = failure;
      this.options.onError?.(error, migrationId);
    }
    entry.attemptedAt = this.clock();
    const update = { migrationId, previous, view: this.view(migrationId) };
    for (const listener of this.listeners) {
      try {
        listener(update);
      } catch (e) {
        this.options.onError?.(asError(e), migrationId);
      }
    }
  }

  /** Why the portal was not reached: fetch's own message ("fetch failed") names no cause. */
  private unreachable(error: Error): string {
    if (error.name === 'AbortError' || error.name === 'TimeoutError') {
      return `${this.baseUrl} gave no answer within ${this.timeoutMs} ms`;
    }
    const cause = (error as { cause?: { code?: unknown; message?: unknown } })
      .cause;
    const why = cause?.message ?? cause?.code ?? error.message;
    return `could not reach ${this.baseUrl}: ${String(why)}`;
  }

  private async request(migrationId: string): Promise<ReadSources> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      const res = await this.fetchImpl(
        `${this.baseUrl}/migrations/${encodeURIComponent(
          migrationId,
        )}/read-sources`,
        {
          headers: this.options.token
            ? { authorization: `Bearer ${this.options.token}` }
            : {},
          signal: controller.signal,
        },
      );
      const text = await res.text();
      if (!res.ok) {
        const kind = failureKindOf(res.status);
        const said = errorMessageOf(text);
        throw new FailedRequest(
          kind,
          `read-sources answered ${res.status} ${res.statusText}${
            said ? `: ${said}` : ''
          }`,
        );
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new FailedRequest(
          'INVALID_ANSWER',
          'read-sources answered an unexpected body: not JSON',
        );
      }
      const parsed = readSourcesAnswerSchema.safeParse(body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new FailedRequest(
          'INVALID_ANSWER',
          `read-sources answered an unexpected body: ${
            issue.path.join('.') || 'body'
          }: ${issue.message}`,
        );
      }
      // The body itself, not zod's copy: a dataset may be called `__proto__`.
      return body as ReadSources;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The message of a Backstage error body (`{ error: { message } }`), if that is what `text` is. */
function errorMessageOf(text: string): string | undefined {
  try {
    const message = JSON.parse(text)?.error?.message;
    return typeof message === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}

function failureKindOf(status: number): ReadSourceFailureKind {
  if (status === 404) return 'NOT_FOUND';
  if (status === 401 || status === 403) return 'UNAUTHORIZED';
  return 'HTTP_ERROR';
}

/** `e` as an Error; errors of another realm (fetch's, under a test runner's sandbox) included. */
function asError(e: unknown): Error {
  return typeof e === 'object' &&
    e !== null &&
    typeof (e as Error).message === 'string'
    ? (e as Error)
    : new Error(String(e));
}
