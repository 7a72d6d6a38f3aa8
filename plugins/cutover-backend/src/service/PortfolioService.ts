import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ALERT_SEVERITIES,
  AlertSeverity,
  cutoverMigrationReadPermission,
  Migration,
  PortfolioItem,
  PortfolioPage,
  portfolioQuerySchema,
} from '@switchyard/plugin-cutover-common';
import type { CutoverClock } from '@switchyard/plugin-cutover-node';
import { z } from 'zod';
import { CutoverStore } from '../database/CutoverStore';
import { MigrationSummary } from '../database/PortfolioStore';
import type { Membership } from '../governance/Membership';
import { Caller, CutoverAccess } from './access';
import type { MigrationService } from './MigrationService';
import type { ReadinessService } from './ReadinessService';
import type { SignalPublisher } from './SignalPublisher';
import { decodeCursor, encodeCursor } from './validation';
import { InputError } from '@backstage/errors';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';

const DRIFT_RANK = { OK: 0, WARNING: 1, CRITICAL: 2, ROLLBACK: 3 } as const;
type DriftLevel = keyof typeof DRIFT_RANK;

/** How long a user's groups (from the catalog) are reused for the default owner filter. */
const GROUPS_TTL_MS = 30_000;

/** Settings of the portfolio. */
export interface PortfolioSettings {
  /** Changes to one migration within this window refresh its summary once. */
  debounceMs: number;
  /** How often the scheduled task refreshes stale summaries (and, every `fullEvery` runs, all). */
  refreshMinutes: number;
}

/**
 * The portfolio: one summary row per migration (cutover_migration_summaries) that the page and the
 * group / system cards read. Rows are refreshed, debounced, when services report a change (the same
 * moments they send signals) and by a scheduled task as a safety net. Readiness is taken from
 * ReadinessService as it computes it.
 */
export class PortfolioService {
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly groups = new Map<
    string,
    { at: number; refs: Promise<Set<string>> }
  >();

  constructor(
    private readonly deps: {
      clock: CutoverClock;
      store: CutoverStore;
      logger: LoggerService;
      migrations: MigrationService;
      readiness: ReadinessService;
      membership: Membership;
      access: CutoverAccess;
      signals: SignalPublisher;
      settings?: Partial<PortfolioSettings>;
    },
  ) {}

  private get settings(): PortfolioSettings {
    return {
      debounceMs: 1_000,
      refreshMinutes: 10,
      ...this.deps.settings,
    };
  }

  /** Marks a migration's summary for refresh; changes within the debounce window refresh it once. */
  changed(migrationId: string) {
    this.pending.add(migrationId);
    if (this.timer || this.running) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.drain().finally(() => {
        this.running = undefined;
        if (this.pending.size) this.changed([...this.pending][0]);
      });
    }, this.settings.debounceMs);
    this.timer.unref?.();
  }

  /** Resolves when no refresh is pending or running (tests, shutdown). */
  async settle(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      if (this.timer) {
        clearTimeout(this.timer);
        this.timer = undefined;
        this.running = this.drain().finally(() => {
          this.running = undefined;
        });
      }
      if (this.running) await this.running;
      else if (this.pending.size) this.changed([...this.pending][0]);
      else return;
    }
  }

  /** Stops the debounce timer (shutdown). */
  stop() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async drain() {
    const ids = [...this.pending];
    this.pending.clear();
    await this.refreshAll(ids);
  }

  /** Refreshes the summaries of `ids` (a failure is logged) and signals those refreshed. */
  private async refreshAll(ids: string[]): Promise<string[]> {
    const done: string[] = [];
    for (const id of ids) {
      try {
        await this.refresh(id);
        done.push(id);
      } catch (e) {
        this.deps.logger.warn(`Portfolio summary of ${id} failed: ${e}`);
      }
    }
    await this.deps.signals.portfolioChanged(done);
    return done;
  }

  /** Computes and stores the summary of one migration (removes it when the migration is gone). */
  async refresh(migrationId: string): Promise<void> {
    const { store } = this.deps;
    const migration = await this.deps.migrations.find(migrationId);
    if (!migration) {
      await store.portfolio().delete(migrationId);
      return;
    }
    const [dashboard, readiness, alerts, run, milestones, lastAudit] =
      await Promise.all([
        this.deps.migrations.dashboard(migration),
        this.deps.readiness.readiness(migration),
        store.alerts().list(migration.id, { status: 'OPEN' }),
        store.reconciliationRuns().latestFinishedRun(migration.id),
        store.listMilestones(migration.id),
        store.portfolio().lastAuditAt(migration.id),
      ]);
    const openAlerts = Object.fromEntries(
      ALERT_SEVERITIES.map(s => [s, 0]),
    ) as Record<AlertSeverity, number>;
    for (const a of alerts) openAlerts[a.severity] += 1;
    let worstDrift: DriftLevel | null = null;
    for (const d of run?.datasets ?? []) {
      if (
        d.level &&
        (!worstDrift || DRIFT_RANK[d.level] > DRIFT_RANK[worstDrift])
      )
        worstDrift = d.level;
    }
    const next = milestones
      .filter(m => !m.completed)
      .sort(
        (a, b) =>
          (a.plannedDate ? Date.parse(a.plannedDate) : Infinity) -
          (b.plannedDate ? Date.parse(b.plannedDate) : Infinity),
      )[0];
    const ms = (v: string | null | undefined) => (v ? Date.parse(v) : null);
    const activity = [
      lastAudit,
      ms(migration.updatedAt),
      ...dashboard.datasets.map(d => ms(d.lastSampleAt)),
    ].filter((v): v is number => v !== null && Number.isFinite(v));
    const summary: MigrationSummary = {
      migrationId: migration.id,
      title: migration.title,
      owner: migration.owner,
      approvers: migration.approvers,
      entityRefs: migration.entityRefs,
      status: migration.status,
      overallProgress: dashboard.overallProgress,
      plannedEnd: ms(migration.plannedEnd),
      estimatedCompletion: ms(dashboard.estimatedCompletion),
      recommendation: readiness.recommendation,
      riskLevel: readiness.riskLevel,
      score: readiness.score,
      openAlerts,
      worstDrift,
      approvalStatus: readiness.approval.status,
      nextMilestone: next
        ? { name: next.name, at: ms(next.plannedDate) }
        : null,
      lastActivityAt: activity.length ? Math.max(...activity) : null,
      datasetCount: migration.datasets.length,
      refreshedAt: this.deps.clock.now(),
    };
    // Archived meanwhile? Its archive is a change too: the next refresh (or the task) removes it.
    await store.portfolio().upsert(summary);
  }

  /** Refreshes summaries that are missing or older than their migration; `all` refreshes every one. */
  async refreshStale(options: { all?: boolean } = {}): Promise<number> {
    const store = this.deps.store.portfolio();
    await store.pruneArchived();
    const ids = options.all
      ? (await this.deps.migrations.list({})).map(m => m.id)
      : await store.stale();
    return (await this.refreshAll(ids)).length;
  }

  /** The safety net: stale summaries every few minutes, all of them every tenth run. */
  async schedule(scheduler: SchedulerService) {
    let runs = 0;
    await scheduler.scheduleTask({
      id: 'cutover-portfolio-refresh',
      frequency: { minutes: this.settings.refreshMinutes },
      timeout: { minutes: 30 },
      initialDelay: { seconds: 20 },
      scope: 'global',
      fn: async () => {
        await this.refreshStale({ all: runs++ % 10 === 0 });
      },
    });
  }

  private async groupsOf(caller: Caller): Promise<string[]> {
    const now = this.deps.clock.now();
    const key = caller.actor;
    let cached = this.groups.get(key);
    if (!cached || now - cached.at > GROUPS_TTL_MS) {
      if (this.groups.size > 10_000) this.groups.clear();
      cached = {
        at: now,
        refs: this.deps.membership.groupsOf(
          caller.actor,
          caller.ownershipEntityRefs,
        ),
      };
      this.groups.set(key, cached);
      cached.refs.catch(() => this.groups.delete(key));
    }
    return [...(await cached.refs)].sort();
  }

  /** A page of the portfolio: only migrations the caller may read. */
  async list(
    caller: Caller,
    query: z.output<typeof portfolioQuerySchema>,
  ): Promise<PortfolioPage> {
    const refs = (v: string, defaultKind: string) =>
      v
        .split(',')
        .map(r => r.trim())
        .filter(Boolean)
        .map(r =>
          stringifyEntityRef(
            parseEntityRef(r, { defaultKind, defaultNamespace: 'default' }),
          ).toLocaleLowerCase('en-US'),
        );
    let owners: string[] | null;
    if (query.owner === 'all') owners = null;
    else if (query.owner) owners = refs(query.owner, 'group');
    else owners = caller.isUser ? await this.groupsOf(caller) : null;
    const decision = await this.deps.access.decide(
      caller,
      cutoverMigrationReadPermission,
    );
    const empty: PortfolioPage = {
      items: [],
      totalCount: 0,
      nextCursor: null,
      counts: { byStatus: {}, byRecommendation: {}, byRisk: {} },
      owners,
    };
    if (decision.result === AuthorizeResult.DENY) return empty;
    const rows = await this.deps.store.portfolio().list({
      owners: owners ?? undefined,
      entityRefs: query.entityRefs
        ? refs(query.entityRefs, 'component')
        : undefined,
      status: query.status,
      recommendation: query.recommendation,
      risk: query.risk,
      sort: query.sort,
    });
    const readable =
      decision.result === AuthorizeResult.ALLOW
        ? rows
        : rows.filter(r =>
            this.deps.access.allows(decision, {
              owner: r.owner,
              approvers: r.approvers,
            } as Migration),
          );
    const counts = empty.counts;
    for (const r of readable) {
      counts.byStatus[r.status] = (counts.byStatus[r.status] ?? 0) + 1;
      counts.byRecommendation[r.recommendation] =
        (counts.byRecommendation[r.recommendation] ?? 0) + 1;
      counts.byRisk[r.riskLevel] = (counts.byRisk[r.riskLevel] ?? 0) + 1;
    }
    const offsetText = decodeCursor(query.cursor);
    const offset = offsetText === undefined ? 0 : Number(offsetText);
    if (!Number.isInteger(offset) || offset < 0) {
      throw new InputError(
        'Invalid query: cursor: is not a cursor of this list',
      );
    }
    const limit = query.limit ?? 50;
    const page = readable.slice(offset, offset + limit);
    return {
      items: page.map(
        ({ approvers: _approvers, ...item }) => item as PortfolioItem,
      ),
      totalCount: readable.length,
      nextCursor:
        offset + limit < readable.length ? encodeCursor(offset + limit) : null,
      counts,
      owners,
    };
  }
}
