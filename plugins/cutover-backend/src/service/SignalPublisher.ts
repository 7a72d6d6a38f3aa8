import { CutoverClock, systemClock } from '@switchyard/plugin-cutover-node';
import { LoggerService } from '@backstage/backend-plugin-api';
import { SignalsService } from '@backstage/plugin-signals-node';
import {
  CutoverSignal,
  CutoverSignalType,
  cutoverSignalChannel,
  CUTOVER_PORTFOLIO_CHANNEL,
  CutoverPortfolioSignal,
} from '@switchyard/plugin-cutover-common';

/**
 * Publishes `cutover:<migrationId>` signals, coalescing bursts: the first change after a quiet spell
 * goes out at once, and changes to one migration within `intervalMs` of the last signal go out as one
 * signal listing every kind of change. Messages carry ids and kinds
 * only; clients refetch what they show.
 */
export class SignalPublisher {
  private readonly pending = new Map<string, Set<CutoverSignalType>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** When each migration's last signal went out (monotonic milliseconds, not the calendar). */
  private readonly lastFlush = new Map<string, number>();

  constructor(
    private readonly signals: SignalsService | undefined,
    private readonly logger: LoggerService,
    private readonly intervalMs = 250,
    private readonly clock: CutoverClock = systemClock,
  ) {}

  notify(migrationId: string, type: CutoverSignalType) {
    for (const listener of this.listeners) listener(migrationId, type);
    if (!this.signals) return;
    const set = this.pending.get(migrationId) ?? new Set<CutoverSignalType>();
    set.add(type);
    this.pending.set(migrationId, set);
    if (!this.timers.has(migrationId)) {
      // The first change after a quiet spell goes out at once (on the next turn of the event loop,
      // with whatever else the same request changed); later ones wait for the end of the window, so
      // a burst still makes at most one signal per window.
      const since =
        performance.now() - (this.lastFlush.get(migrationId) ?? -Infinity);
      const wait = Math.max(0, this.intervalMs - since);
      const timer = setTimeout(() => this.flush(migrationId), wait);
      timer.unref?.();
      this.timers.set(migrationId, timer);
    }
  }

  private readonly listeners: Array<
    (migrationId: string, type: CutoverSignalType) => void
  > = [];

  /** Calls `listener` on every change services report (before coalescing), e.g. to refresh summaries. */
  onChange(listener: (migrationId: string, type: CutoverSignalType) => void) {
    this.listeners.push(listener);
  }

  /** Tells portfolio pages which migrations' summaries changed. */
  async portfolioChanged(migrationIds: string[]) {
    if (!this.signals || !migrationIds.length) return;
    const message: CutoverPortfolioSignal = {
      migrationIds,
      at: new Date(this.clock.now()).toISOString(),
    };
    try {
      await this.signals.publish({
        recipients: { type: 'broadcast' },
        channel: CUTOVER_PORTFOLIO_CHANNEL,
        message: message as any,
      });
    } catch (error) {
      this.logger.warn(`Failed to publish the portfolio signal: ${error}`);
    }
  }

  /** Sends what is pending now (used on shutdown and in tests). */
  async flushAll() {
    await Promise.all([...this.pending.keys()].map(id => this.flush(id)));
  }

  private async flush(migrationId: string) {
    const timer = this.timers.get(migrationId);
    if (timer) clearTimeout(timer);
    this.timers.delete(migrationId);
    const types = this.pending.get(migrationId);
    this.pending.delete(migrationId);
    if (!types?.size || !this.signals) return;
    this.lastFlush.set(migrationId, performance.now());
    const list = [...types];
    const message: CutoverSignal = {
      migrationId,
      type: list[0],
      types: list,
      at: new Date(this.clock.now()).toISOString(),
    };
    try {
      await this.signals.publish({
        recipients: { type: 'broadcast' },
        channel: cutoverSignalChannel(migrationId),
        message: message as any,
      });
    } catch (error) {
      this.logger.warn(
        `Failed to publish cutover signal for ${migrationId}: ${error}`,
      );
    }
  }
}
