// Long: one reconciliation run is a single flow (accept, compare each dataset, record figures,
// raise drift alerts, roll back past the threshold, check integrity, settle), kept in one class so
// its steps share the run's state; settings and the DQ004/DQ005 evaluators are in reconciliation/.
import { SchedulerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  DriftThresholds,
  IntegrityResults,
  Migration,
  ReconciliationDatasetResult,
  ReconciliationRun,
} from '@switchyard/plugin-cutover-common';
import type {
  ChecklistEvaluator,
  CutoverDatasetTarget,
  Reconciler,
  CutoverClock,
} from '@switchyard/plugin-cutover-node';
import { Request } from 'express';
import { JobSlots } from './JobSlots';
import { randomUUID } from 'node:crypto';
import { Caller } from './access';
import { BackgroundJobs } from './BackgroundJobs';
import type { IntegrityService } from '../integrity/IntegrityService';
import { reconciliationEvaluators } from './reconciliation/checklistEvaluators';
import {
  driftLevel,
  type ReconciliationSettings,
} from './reconciliation/settings';

export {
  driftLevel,
  readReconciliationSettings,
} from './reconciliation/settings';
export type { ReconciliationSettings } from './reconciliation/settings';
import {
  automaticRollback,
  AutomaticRollbackDeps,
  SafetyTriggerService,
} from '../integrity/SafetyTriggers';

const SYSTEM = { actor: 'plugin:cutover', requestId: null };

/**
 * Reconciliation runs: compares datasets between the plan's source and destination with a
 * reconciler, keeps per-dataset figures, raises drift alerts and rolls a dataset back (reads to
 * LEGACY, state ROLLED_BACK) when its drift crosses the rollback threshold.
 */
export class ReconciliationService {
  private readonly jobs: BackgroundJobs<'reconciliation'>;

  constructor(
    // What an automatic rollback needs (drift past the threshold rolls datasets back), and more.
    private readonly deps: AutomaticRollbackDeps & {
      reconcilers: () => Reconciler[];
      listActive: () => Promise<Migration[]>;
      settings: ReconciliationSettings;
      /** The plugin's one clock (see cutoverClockServiceRef). */
      clock: CutoverClock;
      /** Long jobs this backend may run at once (shared with snapshots and rollbacks). */
      slots?: JobSlots;
      /** Foreign-key and golden-query checks run after the datasets are compared. */
      integrity?: IntegrityService;
      /** Error-rate and golden-query-slowdown rollbacks. */
      safety?: SafetyTriggerService;
    },
  ) {
    this.jobs = new BackgroundJobs(deps.logger);
  }

  private now() {
    return this.deps.clock.now();
  }

  thresholds(migration: Migration): DriftThresholds {
    return {
      ...this.deps.settings.thresholds,
      ...(migration.driftThresholds ?? {}),
    };
  }

  private pairs(migration: Migration, datasets?: string[]) {
    const source = migration.source?.connection;
    const destination = migration.destination?.connection;
    if (!source || !destination) {
      throw new InputError(
        `Migration ${migration.id} needs source.connection and destination.connection in its plan to be reconciled`,
      );
    }
    const names = datasets ?? migration.datasets.map(d => d.name);
    return names.map(name => {
      const d = migration.datasets.find(x => x.name === name);
      if (!d)
        throw new InputError(
          `Invalid request: datasets: unknown dataset "${name}"`,
        );
      if (!d.sourceTable || !d.destinationTable) {
        throw new InputError(
          `Dataset "${name}" has no table (or sourceTable / destinationTable) in the plan`,
        );
      }
      if (!d.keyColumns.length)
        throw new InputError(`Dataset "${name}" has no keyColumns in the plan`);
      const side = (
        connection: string,
        table: string,
      ): CutoverDatasetTarget => ({
        migrationId: migration.id,
        dataset: name,
        connection,
        table,
        keyColumns: d.keyColumns,
        ...(d.columnMap && Object.keys(d.columnMap).length
          ? { columnMap: d.columnMap }
          : {}),
        ...(d.ignoreColumns?.length ? { ignoreColumns: d.ignoreColumns } : {}),
      });
      return {
        name,
        source: side(source, d.sourceTable),
        destination: side(destination, d.destinationTable),
      };
    });
  }

  private async reconcilerFor(
    source: CutoverDatasetTarget,
    destination: CutoverDatasetTarget,
  ) {
    for (const r of this.deps.reconcilers()) {
      if (await r.supports(source, destination)) return r;
    }
    throw new InputError(
      `No reconciler supports connections "${source.connection}" and "${destination.connection}"; configure them under cutover.connections`,
    );
  }

  async list(migration: Migration): Promise<{ items: ReconciliationRun[] }> {
    return {
      items: await this.deps.store.reconciliationRuns().listRuns(migration.id),
    };
  }

  async get(migration: Migration, id: string): Promise<ReconciliationRun> {
    const run = await this.deps.store
      .reconciliationRuns()
      .getRun(migration.id, id);
    if (!run)
      throw new NotFoundError(
        `No reconciliation run ${id} in migration ${migration.id}`,
      );
    return run;
  }

  /** Accepts a run (409 while another runs) and starts it in the background. */
  async start(
    migration: Migration,
    datasets: string[] | undefined,
    caller: Caller | typeof SYSTEM,
    req?: Request,
    trigger: ReconciliationRun['trigger'] = 'MANUAL',
  ): Promise<ReconciliationRun> {
    const pairs = this.pairs(migration, datasets);
    for (const p of pairs) await this.reconcilerFor(p.source, p.destination);
    const id = randomUUID();
    const thresholds = this.thresholds(migration);
    const release =
      this.deps.slots?.acquire('reconciliation') ?? (() => undefined);
    try {
      await this.deps.store.transaction(async store => {
        const ok = await store.reconciliationRuns().insertRun({
          id,
          migrationId: migration.id,
          trigger,
          createdBy: caller.actor,
          createdAt: this.now(),
          thresholds,
          datasets: pairs.map(p => emptyResult(p.name)),
        });
        if (!ok) {
          const active = await store
            .reconciliationRuns()
            .activeRun(migration.id);
          throw new ConflictError(
            `A reconciliation of ${migration.id} is already running${
              active ? ` (${active.id}, started by ${active.createdBy})` : ''
            }`,
          );
        }
        await this.deps.audit.record(
          store,
          caller,
          {
            migrationId: migration.id,
            action: 'reconciliation.start',
            target: `reconciliation:${id}`,
            after: { datasets: pairs.map(p => p.name), trigger },
          },
          req,
        );
      });
    } catch (e) {
      release();
      throw e;
    }
    this.deps.signals.notify(migration.id, 'reconciliation');
    this.jobs.start('reconciliation', id, () =>
      this.run(migration, id, pairs, thresholds).finally(release),
    );
    return this.get(migration, id);
  }

  private async run(
    migration: Migration,
    id: string,
    pairs: ReturnType<ReconciliationService['pairs']>,
    thresholds: DriftThresholds,
  ) {
    const runs = this.deps.store.reconciliationRuns();
    const results = pairs.map(p => emptyResult(p.name));
    await runs.updateRun(id, {
      status: 'RUNNING',
      startedAt: this.now(),
      heartbeatAt: this.now(),
    });
    this.deps.signals.notify(migration.id, 'reconciliation');
    for (const [i, pair] of pairs.entries()) {
      const started = this.now();
      results[i] = { ...results[i], status: 'RUNNING' };
      await runs.updateRun(id, { datasets: results });
      try {
        const reconciler = await this.reconcilerFor(
          pair.source,
          pair.destination,
        );
        const f = await reconciler.reconcile(
          pair.source,
          pair.destination,
          p => {
            void runs
              .updateRun(id, {
                progress: ((i + Math.min(100, p) / 100) / pairs.length) * 100,
              })
              .catch(() => undefined);
          },
        );
        results[i] = {
          name: pair.name,
          status: 'SUCCEEDED',
          sourceCount: f.sourceCount,
          destinationCount: f.destinationCount,
          missingInDestination: f.missingInDestination,
          missingInSource: f.missingInSource,
          mismatched: f.mismatched,
          driftRatio: f.driftRatio,
          level: driftLevel(f.driftRatio, thresholds),
          sampleKeys: f.sampleKeys.slice(0, 50),
          rowsCompared: f.rowsCompared ?? f.sourceCount + f.destinationCount,
          durationMs: this.now() - started,
          error: null,
          ...(f.notes?.length ? { notes: f.notes } : {}),
        };
      } catch (e) {
        results[i] = {
          ...results[i],
          status: 'FAILED',
          error: e instanceof Error ? e.message : String(e),
          durationMs: this.now() - started,
        };
      }
      await runs.updateRun(id, {
        datasets: results,
        progress: ((i + 1) / pairs.length) * 100,
        heartbeatAt: this.now(),
      });
      this.deps.signals.notify(migration.id, 'reconciliation');
    }
    let integrity: IntegrityResults | undefined;
    try {
      integrity = await this.deps.integrity?.run(
        migration,
        pairs.map(p => p.name),
      );
      if (integrity) await runs.updateRun(id, { integrity });
    } catch (e) {
      this.deps.logger.error(
        `Integrity checks of reconciliation ${id} failed: ${
          e instanceof Error ? e.message : String(e)
        }`,
      );
    }
    // Alerts and automatic rollbacks happen before the run reads as finished, so whoever sees
    // it finished also sees what it caused.
    try {
      // Which datasets were watched is decided before a drift rollback moves any of them.
      const before = await this.deps
        .getMigration(migration.id)
        .catch(() => migration);
      await this.act(migration, id, results, thresholds);
      if (integrity)
        await this.actOnIntegrity(migration, id, integrity, before);
    } catch (e) {
      this.deps.logger.error(
        `Acting on reconciliation ${id} failed: ${
          e instanceof Error ? e.message : String(e)
        }`,
      );
    }
    const failed = results.filter(r => r.status === 'FAILED');
    await runs.updateRun(id, {
      status: failed.length ? 'FAILED' : 'SUCCEEDED',
      finishedAt: this.now(),
      progress: 100,
      datasets: results,
      error: failed.length
        ? failed.map(r => `${r.name}: ${r.error}`).join('; ')
        : null,
    });
    await this.deps.audit.record(this.deps.store, SYSTEM, {
      migrationId: migration.id,
      action: 'reconciliation.finish',
      target: `reconciliation:${id}`,
      after: results.map(r => ({
        name: r.name,
        status: r.status,
        driftRatio: r.driftRatio,
        level: r.level,
      })),
    });
    this.deps.signals.notify(migration.id, 'reconciliation');
  }

  /**
   * Alerts for drift, and the automatic rollback of datasets past the rollback threshold. Only
   * datasets declared READY, CUTOVER or COMPLETED alert: while a dataset is still being imported
   * (PENDING) or back on the legacy side (ROLLED_BACK), drift is expected; the run shows it all
   * the same, and DQ004 / DQ005 judge it.
   */
  private async act(
    migration: Migration,
    runId: string,
    results: ReconciliationDatasetResult[],
    t: DriftThresholds,
  ) {
    const pct = (x: number) => `${(x * 100).toFixed(3)}%`;
    const current = await this.deps
      .getMigration(migration.id)
      .catch(() => migration);
    const watched = new Set(
      current.datasets
        .filter(
          d =>
            d.cutoverState === 'READY' ||
            d.cutoverState === 'CUTOVER' ||
            d.cutoverState === 'COMPLETED',
        )
        .map(d => d.name),
    );
    for (const r of results) {
      if (
        r.status !== 'SUCCEEDED' ||
        !r.level ||
        r.level === 'OK' ||
        !watched.has(r.name)
      )
        continue;
      const figures = `${r.missingInDestination} missing in destination, ${
        r.missingInSource
      } missing in source, ${r.mismatched} differing of ${Math.max(
        r.sourceCount ?? 0,
        r.destinationCount ?? 0,
      )} rows (run ${runId})`;
      // WARNING raises a HIGH alert; CRITICAL and ROLLBACK a CRITICAL one (keyed per dataset).
      const threshold = r.level === 'WARNING' ? 'warning' : 'critical';
      await this.deps.alerts.raise(
        migration,
        {
          alertType: 'THRESHOLD',
          severity: threshold === 'warning' ? 'HIGH' : 'CRITICAL',
          dataset: r.name,
          title: `Drift ${pct(r.driftRatio!)} on ${
            r.name
          } is above the ${threshold} threshold (${pct(t[threshold])})`,
          message: figures,
        },
        SYSTEM,
        undefined,
        { key: `drift-${threshold}:${r.name}` },
      );
      if (r.level === 'ROLLBACK' && this.deps.settings.autoRollback) {
        await this.autoRollback(migration, r, t, runId);
      }
    }
  }

  private async autoRollback(
    migration: Migration,
    r: ReconciliationDatasetResult,
    t: DriftThresholds,
    runId: string,
  ) {
    const reason = `drift ${(r.driftRatio! * 100).toFixed(
      3,
    )}% crossed the automatic rollback threshold ${(t.rollback * 100).toFixed(
      3,
    )}% (reconciliation ${runId})`;
    // The same path as every automatic rollback (safety triggers too): state ROLLED_BACK and
    // reads LEGACY in one transaction, a critical alert and a notification.
    await automaticRollback(this.deps, migration, r.name, {
      action: 'reconciliation.auto-rollback',
      reason,
      alertKey: `drift-rollback:${r.name}`,
      notificationTitle: `Automatic rollback: ${r.name} of ${migration.title} reads from LEGACY again`,
      notificationDescription: `Reconciliation found ${(
        r.driftRatio! * 100
      ).toFixed(3)}% drift on ${r.name}, above the ${(t.rollback * 100).toFixed(
        3,
      )}% rollback threshold. Applications were switched back to the legacy side and the dataset marked ROLLED_BACK.`,
    });
  }

  /**
   * Alerts for orphans (on datasets declared READY, CUTOVER or COMPLETED) and for golden queries
   * whose results differ (a critical finding), then the safety triggers: golden queries slower on
   * the new side, and error rates since the switch.
   */
  private async actOnIntegrity(
    migration: Migration,
    runId: string,
    integrity: IntegrityResults,
    before: Migration,
  ) {
    const watched = new Set(
      before.datasets
        .filter(d => ['READY', 'CUTOVER', 'COMPLETED'].includes(d.cutoverState))
        .map(d => d.name),
    );
    for (const r of integrity.relations) {
      if (r.status !== 'SUCCEEDED' || !r.orphans || !watched.has(r.dataset))
        continue;
      await this.deps.alerts.raise(
        migration,
        {
          alertType: 'THRESHOLD',
          severity: 'HIGH',
          dataset: r.dataset,
          title: `${r.orphans} orphan row(s) in ${r.dataset}: ${r.columns.join(
            ', ',
          )} refer to no row of ${r.references.dataset}`,
          message: `Relation ${r.name}: ${r.orphans} of ${r.checked} rows (reconciliation ${runId})`,
        },
        SYSTEM,
        undefined,
        { key: `integrity-orphans:${r.name}` },
      );
    }
    for (const q of integrity.goldenQueries) {
      if (q.status !== 'DIFFERENT') continue;
      const declared = migration.integrity?.goldenQueries?.find(
        g => g.name === q.name,
      )?.datasets;
      const names = declared?.length ? declared : [...watched];
      if (!names.some(n => watched.has(n))) continue;
      await this.deps.alerts.raise(
        migration,
        {
          alertType: 'THRESHOLD',
          severity: 'CRITICAL',
          ...(declared?.length === 1 ? { dataset: declared[0] } : {}),
          title: `Golden query ${q.name} gives different results on the two sides`,
          message: `${q.sourceRows} row(s) on the source, ${
            q.destinationRows
          } on the destination${
            q.error ? ` (${q.error})` : ''
          } (reconciliation ${runId})`,
        },
        SYSTEM,
        undefined,
        { key: `golden-query:${q.name}` },
      );
    }
    if (this.deps.settings.autoRollback && this.deps.safety) {
      await this.deps.safety.checkGoldenQueries(
        migration,
        integrity.goldenQueries,
        runId,
      );
      await this.deps.safety.checkErrorRates(
        await this.deps.getMigration(migration.id).catch(() => before),
      );
    }
  }

  /** Starts scheduled runs for datasets in CUTOVER or COMPLETED; fails abandoned runs. */
  async scheduledPass(): Promise<number> {
    const now = this.now();
    await this.deps.store
      .reconciliationRuns()
      .failStaleRuns(
        now - this.deps.settings.staleAfterMs,
        now,
        'the backend running this reconciliation stopped before it finished',
      );
    let started = 0;
    for (const migration of await this.deps.listActive()) {
      const due = migration.datasets
        .filter(
          d => d.cutoverState === 'CUTOVER' || d.cutoverState === 'COMPLETED',
        )
        .map(d => d.name);
      if (
        !due.length ||
        !migration.source?.connection ||
        !migration.destination?.connection
      )
        continue;
      const last = (
        await this.deps.store.reconciliationRuns().listRuns(migration.id, 1)
      )[0];
      if (
        last &&
        now - Date.parse(last.createdAt) < this.deps.settings.intervalMs
      )
        continue;
      // A backend at its limit of long jobs leaves the slot to the next pass.
      if (this.deps.slots && !this.deps.slots.available()) break;
      try {
        await this.start(migration, due, SYSTEM, undefined, 'SCHEDULED');
        started++;
      } catch (e) {
        this.deps.logger.warn(
          `Scheduled reconciliation of ${migration.id} not started: ${String(
            e,
          )}`,
        );
      }
    }
    return started;
  }

  async schedule(scheduler: SchedulerService) {
    this.jobs.heartbeat(5_000, () =>
      this.deps.store
        .reconciliationRuns()
        .heartbeatRuns(this.jobs.ids('reconciliation'), this.now()),
    );
    await scheduler.scheduleTask({
      id: 'cutover-reconcile',
      frequency: { minutes: 5 },
      timeout: { minutes: 10 },
      initialDelay: { minutes: 1 },
      scope: 'global',
      fn: async () => {
        await this.scheduledPass();
      },
    });
  }

  stop() {
    this.jobs.stop();
  }

  /** DQ004 / DQ005 decided from the latest finished run. */
  evaluators(): ChecklistEvaluator[] {
    return reconciliationEvaluators(this.deps.store);
  }
}

function emptyResult(name: string): ReconciliationDatasetResult {
  return {
    name,
    status: 'PENDING',
    sourceCount: null,
    destinationCount: null,
    missingInDestination: null,
    missingInSource: null,
    mismatched: null,
    driftRatio: null,
    level: null,
    sampleKeys: [],
    rowsCompared: null,
    durationMs: null,
    error: null,
  };
}
