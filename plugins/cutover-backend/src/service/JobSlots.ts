import { TooManyRequestsError } from './errors';

/**
 * How many long jobs (snapshots, rollbacks, reconciliations) one backend runs at once. Each copies
 * or scans production tables: a burst of them would load the databases the migration depends on.
 * A job asks for a slot when it is accepted and gives it back when it ends; without a free slot the
 * request is refused with 429 naming the limit.
 */
export class JobSlots {
  private running = 0;

  constructor(readonly limit: number) {}

  /** Takes a slot or throws 429; returns the function that gives it back (idempotent). */
  acquire(what: string): () => void {
    if (this.running >= this.limit) {
      throw new TooManyRequestsError(
        `At most ${this.limit} long jobs (snapshots, rollbacks, reconciliations) run at once on this backend (cutover.jobs.maxConcurrent); ${this.running} are running: try the ${what} again when one has finished`,
      );
    }
    this.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
    };
  }

  /** Whether a slot is free now (scheduled work skips a pass instead of failing). */
  available(): boolean {
    return this.running < this.limit;
  }
}
