import type { ReadSource, ReadSources } from '../types';

/** Options of {@link ReadSourceClient}. @public */
export interface ReadSourceClientOptions {
  /** The cutover backend, e.g. `https://backstage.example.com/api/cutover`. */
  baseUrl: string;
  migrationId: string;
  /** A Backstage service token (static external access or JWKS) allowed `cutover.migration.read`. */
  token?: string;
  /** How long an answer is reused before asking again. Default 10 s. */
  cacheTtlMs?: number;
  /**
   * How long the last known answer is still used while the portal can't be reached. After that
   * every dataset reads from LEGACY (the safe side). Default 60 s.
   */
  maxStaleMs?: number;
  /** Per-request timeout. Default 2 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Called when the portal could not be asked (for the application's own logging). */
  onError?: (error: Error) => void;
  clock?: () => number;
}

/**
 * What applications use to decide, per dataset, whether to read from the legacy or the new side.
 * Answers are cached; concurrent callers share one request; when the portal is unreachable the
 * last answer is used for `maxStaleMs`, then every dataset reads LEGACY. It never throws.
 *
 * ```ts
 * const switches = new ReadSourceClient({ baseUrl, migrationId: 'orders-v2', token });
 * const source = await switches.get('orders'); // 'LEGACY' | 'DUAL' | 'NEW'
 * ```
 * @public
 */
export class ReadSourceClient {
  private cached?: { sources: ReadSources; at: number };
  private inFlight?: Promise<void>;
  private readonly o: Required<Omit<ReadSourceClientOptions, 'token' | 'onError'>> &
    Pick<ReadSourceClientOptions, 'token' | 'onError'>;

  constructor(options: ReadSourceClientOptions) {
    this.o = {
      cacheTtlMs: 10_000,
      maxStaleMs: 60_000,
      timeoutMs: 2_000,
      fetch: (...args) => fetch(...args),
      clock: Date.now,
      ...options,
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
    };
  }

  /** Where the dataset should be read from now. */
  async get(dataset: string): Promise<ReadSource> {
    await this.refreshIfDue();
    return this.peek(dataset);
  }

  /** Every dataset's read source (LEGACY for all when nothing usable is known). */
  async getAll(): Promise<Record<string, ReadSource>> {
    await this.refreshIfDue();
    return this.usable()?.datasets ?? {};
  }

  /** The cached answer without asking the portal; LEGACY when nothing usable is cached. */
  peek(dataset: string): ReadSource {
    return this.usable()?.datasets[dataset] ?? 'LEGACY';
  }

  private usable(): ReadSources | undefined {
    if (!this.cached) return undefined;
    const age = this.o.clock() - this.cached.at;
    return age <= this.o.cacheTtlMs + this.o.maxStaleMs ? this.cached.sources : undefined;
  }

  private async refreshIfDue() {
    if (this.cached && this.o.clock() - this.cached.at < this.o.cacheTtlMs) return;
    if (!this.inFlight) {
      this.inFlight = this.refresh().finally(() => {
        this.inFlight = undefined;
      });
    }
    await this.inFlight;
  }

  private async refresh() {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.o.timeoutMs);
    try {
      const res = await this.o.fetch(
        `${this.o.baseUrl}/migrations/${encodeURIComponent(this.o.migrationId)}/read-sources`,
        {
          headers: this.o.token ? { authorization: `Bearer ${this.o.token}` } : {},
          signal: controller.signal,
        },
      );
      if (!res.ok) throw new Error(`read-sources answered ${res.status} ${res.statusText}`);
      const body = (await res.json()) as ReadSources;
      if (!body || typeof body.datasets !== 'object') throw new Error('read-sources answered an unexpected body');
      this.cached = { sources: body, at: this.o.clock() };
    } catch (e) {
      this.o.onError?.(e instanceof Error ? e : new Error(String(e)));
    } finally {
      clearTimeout(timer);
    }
  }
}
