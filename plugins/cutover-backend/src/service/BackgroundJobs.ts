import { LoggerService } from '@backstage/backend-plugin-api';

/**
 * Background jobs of one backend instance, by kind: runs them detached from the request that
 * accepted them, keeps their ids for the heartbeat that tells other instances they are alive, and
 * lets tests and shutdown wait for them.
 */
export class BackgroundJobs<K extends string> {
  private readonly running = new Map<string, Promise<void>>();
  private readonly byKind = new Map<K, Set<string>>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly logger: LoggerService) {}

  /** Marks a job as running here (for the heartbeat) while `work` runs; returns its result. */
  async track<T>(kind: K, id: string, work: () => Promise<T>): Promise<T> {
    const ids = this.byKind.get(kind) ?? new Set<string>();
    this.byKind.set(kind, ids);
    ids.add(id);
    try {
      return await work();
    } finally {
      ids.delete(id);
    }
  }

  /** Starts a job detached from the caller; failures are logged (the job records its own). */
  start(kind: K, id: string, work: () => Promise<unknown>) {
    const job = this.track(kind, id, work)
      .then(() => undefined)
      .catch(e => this.logger.error(`Job ${kind} ${id} crashed: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => this.running.delete(id));
    this.running.set(id, job);
  }

  ids(kind: K): string[] {
    return [...(this.byKind.get(kind) ?? [])];
  }

  /** Calls `beat` every `intervalMs` while jobs run here. */
  heartbeat(intervalMs: number, beat: () => Promise<void>) {
    this.timer = setInterval(() => {
      if (![...this.byKind.values()].some(s => s.size)) return;
      beat().catch(e => this.logger.warn(`Job heartbeat failed: ${e instanceof Error ? e.message : String(e)}`));
    }, intervalMs);
    this.timer.unref();
  }

  /** Waits until no job started here runs. */
  async drain() {
    while (this.running.size) await Promise.all([...this.running.values()]);
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
  }
}
