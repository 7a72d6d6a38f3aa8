import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { NotificationService } from '@backstage/plugin-notifications-node';
import type {
  GoldenQueryResult,
  Migration,
  SafetyTriggers,
} from '@switchyard/plugin-cutover-common';
import type { CutoverClock } from '@switchyard/plugin-cutover-node';
import { CutoverStore } from '../database/CutoverStore';
import { AlertService } from '../service/AlertService';
import { AuditLog } from '../service/AuditLog';
import { DatasetCutoverService } from '../service/DatasetCutoverService';
import { FreezeWindowService } from '../service/FreezeWindowService';
import { notifyAboutMigration } from '../service/notify';
import { SignalPublisher } from '../service/SignalPublisher';

const SYSTEM = { actor: 'plugin:cutover', requestId: null };

/** Records processed after the switch below which an error rate says nothing yet. */
export const MIN_RECORDS_AFTER_SWITCH = 20;

/** Defaults from `cutover.safetyTriggers`, overridden by a plan's `safetyTriggers`. */
export function readSafetyTriggerSettings(root: Config): SafetyTriggers {
  const c = root.getOptionalConfig('cutover.safetyTriggers');
  return {
    enabled: c?.getOptionalBoolean('enabled') ?? true,
    errorRate: c?.getOptionalNumber('errorRate') ?? 0.05,
    goldenQuerySlowdown: c?.getOptionalNumber('goldenQuerySlowdown') ?? 0.2,
    minSlowdownMs: c?.getOptionalNumber('minSlowdownMs') ?? 50,
  };
}

export interface AutomaticRollbackDeps {
  store: CutoverStore;
  audit: AuditLog;
  signals: SignalPublisher;
  notifications?: NotificationService;
  logger: LoggerService;
  alerts: AlertService;
  cutover: DatasetCutoverService;
  freezeWindows: FreezeWindowService;
  getMigration: (id: string) => Promise<Migration>;
}

/**
 * The one path of every automatic rollback (drift, error rate, golden-query slowdown): state
 * ROLLED_BACK and reads LEGACY in one transaction with the audit event (naming the freeze window
 * when one is active), then a critical alert and a notification to the owner and approvers.
 * Returns false when the dataset was no longer in CUTOVER or COMPLETED.
 */
export async function automaticRollback(
  deps: AutomaticRollbackDeps,
  migration: Migration,
  dataset: string,
  how: {
    /** Audit action, e.g. `reconciliation.auto-rollback`. */
    action: string;
    reason: string;
    /** Alert rule key (one open alert per key). */
    alertKey: string;
    notificationTitle: string;
    notificationDescription: string;
  },
): Promise<boolean> {
  const current = await deps.getMigration(migration.id);
  const d = current.datasets.find(x => x.name === dataset);
  if (!d || (d.cutoverState !== 'CUTOVER' && d.cutoverState !== 'COMPLETED'))
    return false;
  let reason = how.reason;
  try {
    await deps.store.transaction(async tx => {
      const windows = (
        await tx.freezeWindows().listWindows(migration.id, ['ACTIVE'])
      ).filter(w => !w.datasets.length || w.datasets.includes(dataset));
      if (windows.length)
        reason = `${reason}; during freeze window ${windows
          .map(w => `"${w.name}"`)
          .join(', ')}`;
      await deps.cutover.markRolledBack(
        tx,
        current,
        [dataset],
        reason,
        SYSTEM,
        true,
      );
      // An active freeze window keeps the record of every automatic rollback made during it.
      await deps.freezeWindows.recordRollbackOnWindows(
        tx,
        migration.id,
        [dataset],
        reason,
      );
      await deps.audit.record(tx, SYSTEM, {
        migrationId: migration.id,
        action: how.action,
        target: `dataset:${dataset}`,
        before: { cutoverState: d.cutoverState, readSource: d.readSource },
        after: {
          cutoverState: 'ROLLED_BACK',
          readSource: 'LEGACY',
          reason,
          ...(windows.length ? { freezeWindows: windows.map(w => w.id) } : {}),
        },
      });
    });
    deps.signals.notify(migration.id, 'readsource');
  } catch (e) {
    deps.logger.error(
      `Automatic rollback of ${migration.id}/${dataset} failed: ${String(e)}`,
    );
    return false;
  }
  await deps.alerts.raise(
    migration,
    {
      alertType: 'THRESHOLD',
      severity: 'CRITICAL',
      dataset,
      title: `${dataset} rolled back automatically: reads switched to LEGACY`,
      message: reason,
    },
    SYSTEM,
    undefined,
    { key: how.alertKey },
  );
  await notifyAboutMigration(deps, migration, {
    recipients: [
      migration.owner,
      ...(migration.approvers ? [migration.approvers] : []),
    ],
    title: how.notificationTitle,
    description: how.notificationDescription,
    tab: 'cutover',
    severity: 'critical',
  });
  return true;
}

const pct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)}%`;

/**
 * Safety triggers beyond drift: a dataset in CUTOVER or COMPLETED goes back to LEGACY when its
 * error rate since the switch exceeds a threshold, or a golden query reading it runs slower on the
 * new side than on the legacy side by more than a threshold.
 */
export class SafetyTriggerService {
  constructor(
    private readonly deps: AutomaticRollbackDeps & {
      clock: CutoverClock;
      settings: SafetyTriggers;
    },
  ) {}

  thresholds(migration: Migration): SafetyTriggers {
    return { ...this.deps.settings, ...(migration.safetyTriggers ?? {}) };
  }

  /** When reads of a dataset last moved off LEGACY (or it entered CUTOVER): the switch. */
  private async switchedAt(migrationId: string, dataset: string) {
    const events = await this.deps.store
      .switches()
      .listSwitches(migrationId, dataset);
    const e = events.find(
      x =>
        (x.kind === 'READ_SOURCE' && x.to !== 'LEGACY') ||
        (x.kind === 'CUTOVER_STATE' && x.to === 'CUTOVER'),
    );
    return e ? Date.parse(e.at) : null;
  }

  /**
   * The error rate of a dataset since its switch: failed / (imported + failed) of the records
   * processed after it, from the samples on either side of the switch.
   */
  async errorRateSinceSwitch(
    migrationId: string,
    dataset: string,
  ): Promise<{ rate: number; processed: number; failed: number } | null> {
    const at = await this.switchedAt(migrationId, dataset);
    if (at === null) return null;
    const now = this.deps.clock.now();
    const before = (
      await this.deps.store.readSamplesBefore(migrationId, at + 1, dataset)
    ).find(s => s.dataset === dataset);
    // The newest sample, if it came after the switch.
    const last = (
      await this.deps.store.readSamplesBefore(migrationId, now + 1, dataset)
    ).find(x => x.dataset === dataset && x.at >= at);
    if (!last) return null;
    const failed = (last.failedRecords ?? 0) - (before?.failedRecords ?? 0);
    const imported =
      (last.importedRecords ?? 0) - (before?.importedRecords ?? 0);
    const processed = Math.max(0, failed) + Math.max(0, imported);
    if (processed < MIN_RECORDS_AFTER_SWITCH) return null;
    return { rate: Math.max(0, failed) / processed, processed, failed };
  }

  /** Rolls back datasets whose error rate since the switch crossed the threshold. */
  async checkErrorRates(migration: Migration): Promise<string[]> {
    const t = this.thresholds(migration);
    const rolledBack: string[] = [];
    for (const d of migration.datasets) {
      if (d.cutoverState !== 'CUTOVER' && d.cutoverState !== 'COMPLETED')
        continue;
      const figures = await this.errorRateSinceSwitch(migration.id, d.name);
      if (!figures || figures.rate <= t.errorRate) continue;
      const reason = `error rate ${pct(figures.rate)} since the switch (${
        figures.failed
      } of ${
        figures.processed
      } records failed) exceeded the safety threshold ${pct(t.errorRate)}`;
      if (!t.enabled) {
        await this.warnOnly(migration, d.name, `error-rate:${d.name}`, reason);
        continue;
      }
      const done = await automaticRollback(this.deps, migration, d.name, {
        action: 'safety.auto-rollback',
        reason,
        alertKey: `safety-rollback:${d.name}`,
        notificationTitle: `Automatic rollback: ${d.name} of ${migration.title} reads from LEGACY again`,
        notificationDescription: `The ${
          d.name
        } error rate since the switch is ${pct(figures.rate)}, above the ${pct(
          t.errorRate,
        )} safety threshold. Applications were switched back to the legacy side and the dataset marked ROLLED_BACK.`,
      });
      if (done) rolledBack.push(d.name);
    }
    return rolledBack;
  }

  /**
   * Rolls back datasets read by a golden query that ran slower on the new side by more than the
   * threshold (and by at least `minSlowdownMs`, below which timings are noise). A query that names
   * no datasets stands for all of them.
   */
  async checkGoldenQueries(
    migration: Migration,
    results: GoldenQueryResult[],
    runId: string,
  ): Promise<string[]> {
    const t = this.thresholds(migration);
    const current = await this.deps.getMigration(migration.id);
    const rolledBack: string[] = [];
    for (const r of results) {
      if (
        r.sourceMs === null ||
        r.destinationMs === null ||
        r.slowdown === null ||
        r.slowdown <= t.goldenQuerySlowdown ||
        r.destinationMs - r.sourceMs < t.minSlowdownMs
      )
        continue;
      const query = migration.integrity?.goldenQueries?.find(
        q => q.name === r.name,
      );
      const names = query?.datasets?.length
        ? query.datasets
        : current.datasets.map(d => d.name);
      const reason = `golden query ${r.name} took ${r.destinationMs.toFixed(
        1,
      )} ms on the new side against ${r.sourceMs.toFixed(
        1,
      )} ms on the legacy side (+${pct(r.slowdown)}), above the ${pct(
        t.goldenQuerySlowdown,
      )} safety threshold (reconciliation ${runId})`;
      for (const name of names) {
        const d = current.datasets.find(x => x.name === name);
        if (
          !d ||
          (d.cutoverState !== 'CUTOVER' && d.cutoverState !== 'COMPLETED') ||
          rolledBack.includes(name)
        )
          continue;
        if (!t.enabled) {
          await this.warnOnly(migration, name, `slowdown:${r.name}`, reason);
          continue;
        }
        const done = await automaticRollback(this.deps, migration, name, {
          action: 'safety.auto-rollback',
          reason,
          alertKey: `safety-rollback:${name}`,
          notificationTitle: `Automatic rollback: ${name} of ${migration.title} reads from LEGACY again`,
          notificationDescription: `Golden query ${r.name} is ${pct(
            r.slowdown,
          )} slower on the new side than on the legacy side, above the ${pct(
            t.goldenQuerySlowdown,
          )} safety threshold. Applications were switched back to the legacy side and ${name} marked ROLLED_BACK.`,
        });
        if (done) rolledBack.push(name);
      }
    }
    return rolledBack;
  }

  private async warnOnly(
    migration: Migration,
    dataset: string,
    key: string,
    reason: string,
  ) {
    await this.deps.alerts.raise(
      migration,
      {
        alertType: 'THRESHOLD',
        severity: 'CRITICAL',
        dataset,
        title: `Safety trigger on ${dataset} (automatic rollback is off for this plan)`,
        message: reason,
      },
      SYSTEM,
      undefined,
      { key: `safety:${key}` },
    );
  }
}
