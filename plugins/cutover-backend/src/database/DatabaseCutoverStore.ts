// Long: the migrations' own tables (plans applied to migrations and datasets, their figures) in
// one transaction-aware store; samples, timeline, idempotency and audit live in their own stores.
import { FreezeWindowStore } from './FreezeWindowStore';
import { ReconciliationRunStore } from './ReconciliationRunStore';
import { SwitchStore } from './SwitchStore';
import { SnapshotStore } from './SnapshotStore';
import { ReportStore } from './ReportStore';
import { OperationScheduleStore } from './OperationScheduleStore';
import {
  DatabaseService,
  LoggerService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import type {
  ConnectionRef,
  ControlState,
  DatasetCutoverState,
  MigrationStatus,
  ParsedMigrationPlan,
  ReadSource,
  SubTask,
} from '@switchyard/plugin-cutover-common';
import { Knex } from 'knex';
import { iso, json, numOrNull } from './columnValues';
import {
  CutoverStore,
  DatasetFigures,
  MigrationChanges,
  MigrationFilter,
  StoredMigration,
} from './CutoverStore';
import { ReadinessStore } from './ReadinessStore';
import { AlertStore } from './AlertStore';
import { GovernanceStore } from './GovernanceStore';
import { SampleStore } from './SampleStore';
import { TimelineStore } from './TimelineStore';
import { IdempotencyStore } from './IdempotencyStore';
import { AuditStore } from './AuditStore';
import { PortfolioStore } from './PortfolioStore';

const migrationsDir = resolvePackagePath(
  '@switchyard/plugin-cutover-backend',
  'migrations',
);

/** Runs the plugin's Knex migrations. */
export async function migrateCutoverDatabase(knex: Knex) {
  await knex.migrate.latest({
    directory: migrationsDir,
    tableName: 'cutover_knex_migrations',
  });
}

/** Knex implementation of {@link CutoverStore}, on SQLite or PostgreSQL. */
export class DatabaseCutoverStore implements CutoverStore {
  static async create(options: {
    database: DatabaseService;
    logger?: LoggerService;
  }): Promise<DatabaseCutoverStore> {
    const knex = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await migrateCutoverDatabase(knex);
    }
    return new DatabaseCutoverStore(knex);
  }

  constructor(private readonly db: Knex | Knex.Transaction) {}

  readiness(): ReadinessStore {
    return new ReadinessStore(this.db);
  }

  alerts(): AlertStore {
    return new AlertStore(this.db);
  }

  reports(): ReportStore {
    return new ReportStore(this.db);
  }

  snapshots(): SnapshotStore {
    return new SnapshotStore(this.db);
  }

  switches(): SwitchStore {
    return new SwitchStore(this.db);
  }

  freezeWindows(): FreezeWindowStore {
    return new FreezeWindowStore(this.db);
  }

  reconciliationRuns(): ReconciliationRunStore {
    return new ReconciliationRunStore(this.db);
  }

  governance(): GovernanceStore {
    return new GovernanceStore(this.db);
  }

  operationSchedules(): OperationScheduleStore {
    return new OperationScheduleStore(this.db);
  }

  portfolio(): PortfolioStore {
    return new PortfolioStore(this.db);
  }

  async transaction<T>(fn: (store: CutoverStore) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) {
      return fn(this);
    }
    return (this.db as Knex).transaction(tx =>
      fn(new DatabaseCutoverStore(tx)),
    );
  }

  async getMigration(
    id: string,
    options?: { includeArchived?: boolean; withDatasets?: boolean },
  ): Promise<StoredMigration | undefined> {
    const query = this.db('cutover_migrations').where({ id });
    if (!options?.includeArchived) query.whereNull('archived_at');
    const row = await query.first();
    if (!row) return undefined;
    const [entities, datasets] = await Promise.all([
      this.db('cutover_migration_entities')
        .where({ migration_id: id })
        .orderBy('entity_ref'),
      options?.withDatasets === false
        ? Promise.resolve([])
        : this.getDatasetFigures(id),
    ]);
    return toMigration(
      row,
      entities.map(e => e.entity_ref),
      datasets,
    );
  }

  async listMigrations(filter: MigrationFilter): Promise<StoredMigration[]> {
    const query = this.db('cutover_migrations as m')
      .select('m.*')
      .whereNull('m.archived_at')
      .orderBy('m.id');
    if (filter.owner) query.where('m.owner', filter.owner);
    if (filter.status) query.where('m.status', filter.status);
    if (filter.entityRef) {
      query.whereIn(
        'm.id',
        this.db('cutover_migration_entities')
          .select('migration_id')
          .where('entity_ref', filter.entityRef.toLocaleLowerCase('en-US')),
      );
    }
    const rows = await query;
    if (!rows.length) return [];
    const ids = rows.map(r => r.id);
    const [entities, datasets] = await Promise.all([
      this.db('cutover_migration_entities').whereIn('migration_id', ids),
      this.db('cutover_datasets')
        .whereIn('migration_id', ids)
        .where('removed', false)
        .orderBy(['migration_id', 'position']),
    ]);
    return rows.map(row =>
      toMigration(
        row,
        entities.filter(e => e.migration_id === row.id).map(e => e.entity_ref),
        datasets.filter(d => d.migration_id === row.id).map(toDatasetFigures),
      ),
    );
  }

  async applyPlan(
    plan: ParsedMigrationPlan,
    actor: string,
    now: number,
  ): Promise<{
    created: boolean;
    before?: StoredMigration;
    after: StoredMigration;
  }> {
    return this.transaction(async store => {
      const tx = (store as DatabaseCutoverStore).db;
      const before = await store.getMigration(plan.id, {
        includeArchived: true,
      });
      const fields = {
        title: plan.title,
        description: plan.description ?? null,
        owner: plan.owner.toLocaleLowerCase('en-US'),
        approvers: plan.approvers?.toLocaleLowerCase('en-US') ?? null,
        source: plan.source ? JSON.stringify(plan.source) : null,
        destination: plan.destination ? JSON.stringify(plan.destination) : null,
        planned_start: plan.plannedStart ? Date.parse(plan.plannedStart) : null,
        planned_end: plan.plannedEnd ? Date.parse(plan.plannedEnd) : null,
        plan: JSON.stringify(plan),
        checklist_template: plan.checklist?.template ?? 'standard',
        updated_at: now,
        archived_at: null,
      };
      if (!before) {
        await tx('cutover_migrations').insert({
          id: plan.id,
          ...fields,
          status: 'PLANNED',
          control_state: 'RUN',
          revision: 1,
          created_by: actor,
          created_at: now,
        });
      } else {
        await tx('cutover_migrations')
          .where({ id: plan.id })
          .update({ ...fields, revision: tx.raw('revision + 1') });
      }

      const refs = new Set(
        plan.entityRefs.map(r => r.toLocaleLowerCase('en-US')),
      );
      await tx('cutover_migration_entities')
        .where({ migration_id: plan.id })
        .delete();
      if (refs.size) {
        await tx('cutover_migration_entities').insert(
          [...refs].map(ref => ({ migration_id: plan.id, entity_ref: ref })),
        );
      }

      // Datasets are upserted so their figures, state and samples survive a re-applied plan;
      // datasets dropped from the plan are hidden, not deleted, so their history stays.
      const existing = new Map<string, any>(
        (await tx('cutover_datasets').where({ migration_id: plan.id })).map(
          r => [r.name, r],
        ),
      );
      for (const [position, d] of plan.datasets.entries()) {
        const row = {
          position,
          tier: d.tier,
          category: d.category ?? null,
          key_columns: JSON.stringify(d.keyColumns),
          compared_columns: JSON.stringify({
            ...(d.columnMap && Object.keys(d.columnMap).length
              ? { columnMap: d.columnMap }
              : {}),
            ...(d.ignoreColumns?.length
              ? { ignoreColumns: d.ignoreColumns }
              : {}),
          }),
          source_table: d.sourceTable ?? d.table ?? null,
          destination_table: d.destinationTable ?? d.table ?? null,
          planned_total: d.totalRecords ?? null,
          removed: false,
        };
        if (existing.has(d.name)) {
          await tx('cutover_datasets')
            .where({ migration_id: plan.id, name: d.name })
            .update(row);
          existing.delete(d.name);
        } else {
          await tx('cutover_datasets').insert({
            migration_id: plan.id,
            name: d.name,
            ...row,
          });
        }
      }
      if (existing.size) {
        await tx('cutover_datasets')
          .where({ migration_id: plan.id })
          .whereIn('name', [...existing.keys()])
          .update({ removed: true });
      }
      // Phases and milestones: the plan sets names, plans and dependencies; status, progress and
      // actual times belong to whoever reports them and survive a re-applied plan.
      const phases = new Map<string, any>(
        (await tx('cutover_phases').where({ migration_id: plan.id })).map(r => [
          r.id,
          r,
        ]),
      );
      for (const [position, p] of plan.phases.entries()) {
        const row = {
          position,
          name: p.name,
          description: p.description ?? null,
          planned_start: p.plannedStart ? Date.parse(p.plannedStart) : null,
          planned_end: p.plannedEnd ? Date.parse(p.plannedEnd) : null,
          depends_on: JSON.stringify(p.dependsOn),
          ...(p.datasets ? { datasets: JSON.stringify(p.datasets) } : {}),
          removed: false,
          updated_at: now,
        };
        if (p.subTasks?.length) {
          // Sub-tasks the plan declares are added; their status and progress belong to the jobs.
          const current = json<SubTask[]>(phases.get(p.id)?.sub_tasks, []);
          const merged = [...current];
          for (const t of p.subTasks) {
            const seen = merged.find(c => c.id === t.id);
            if (seen) seen.name = t.name;
            else
              merged.push({
                id: t.id,
                name: t.name,
                status: 'PENDING',
                progressPercent: 0,
              });
          }
          (row as Record<string, unknown>).sub_tasks = JSON.stringify(merged);
        }
        if (phases.has(p.id)) {
          await tx('cutover_phases')
            .where({ migration_id: plan.id, id: p.id })
            .update(row);
          phases.delete(p.id);
        } else {
          await tx('cutover_phases').insert({
            migration_id: plan.id,
            id: p.id,
            ...row,
          });
        }
      }
      if (phases.size) {
        await tx('cutover_phases')
          .where({ migration_id: plan.id })
          .whereIn('id', [...phases.keys()])
          .update({ removed: true });
      }
      const milestones = new Map<string, any>(
        (await tx('cutover_milestones').where({ migration_id: plan.id })).map(
          r => [r.id, r],
        ),
      );
      for (const [position, m] of plan.milestones.entries()) {
        const row = {
          position,
          name: m.name,
          planned_date: m.plannedDate ? Date.parse(m.plannedDate) : null,
          removed: false,
          updated_at: now,
        };
        if (milestones.has(m.id)) {
          await tx('cutover_milestones')
            .where({ migration_id: plan.id, id: m.id })
            .update(row);
          milestones.delete(m.id);
        } else {
          await tx('cutover_milestones').insert({
            migration_id: plan.id,
            id: m.id,
            ...row,
          });
        }
      }
      if (milestones.size) {
        await tx('cutover_milestones')
          .where({ migration_id: plan.id })
          .whereIn('id', [...milestones.keys()])
          .update({ removed: true });
      }

      const after = (await store.getMigration(plan.id))!;
      return {
        created: !before || !!before.archivedAt,
        before: before?.archivedAt ? undefined : before,
        after,
      };
    });
  }

  async updateMigration(
    id: string,
    changes: MigrationChanges,
    now: number,
    onlyIfStatus?: MigrationChanges['status'],
  ): Promise<boolean> {
    const row: Record<string, unknown> = { updated_at: now };
    if (changes.title !== undefined) row.title = changes.title;
    if (changes.description !== undefined)
      row.description = changes.description;
    if (changes.status !== undefined) row.status = changes.status;
    if (changes.controlState !== undefined)
      row.control_state = changes.controlState;
    if (changes.plannedStart !== undefined)
      row.planned_start = changes.plannedStart;
    if (changes.plannedEnd !== undefined) row.planned_end = changes.plannedEnd;
    if (changes.actualStart !== undefined)
      row.actual_start = changes.actualStart;
    if (changes.actualEnd !== undefined) row.actual_end = changes.actualEnd;
    const query = this.db('cutover_migrations').where({ id });
    if (onlyIfStatus !== undefined) query.where('status', onlyIfStatus);
    return (await query.update(row)) > 0;
  }

  async archiveMigration(id: string, now: number) {
    await this.db('cutover_migrations')
      .where({ id })
      .update({ archived_at: now, updated_at: now });
  }

  async restoreMigration(id: string, now: number) {
    await this.db('cutover_migrations')
      .where({ id })
      .update({ archived_at: null, updated_at: now });
  }

  async getPlan(id: string): Promise<string | undefined> {
    const row = await this.db('cutover_migrations').where({ id }).first('plan');
    return row?.plan ?? undefined;
  }

  async setDatasetState(
    migrationId: string,
    datasets: string[],
    change: {
      cutoverState?: DatasetCutoverState;
      readSource?: ReadSource;
      /** A gradual rollout; null ends it. */
      rollout?: { source: ReadSource; percent: number } | null;
    },
  ) {
    const row: Record<string, unknown> = {};
    if (change.cutoverState) row.cutover_state = change.cutoverState;
    if (change.readSource) row.read_source = change.readSource;
    if (change.rollout !== undefined) {
      row.rollout_source = change.rollout?.source ?? null;
      row.rollout_percent = change.rollout?.percent ?? null;
    }
    if (!datasets.length || !Object.keys(row).length) return;
    await this.db('cutover_datasets')
      .where({ migration_id: migrationId })
      .whereIn('name', datasets)
      .update(row);
  }

  async getDatasetFigures(migrationId: string): Promise<DatasetFigures[]> {
    const rows = await this.db('cutover_datasets')
      .where({ migration_id: migrationId, removed: false })
      .orderBy('position');
    return rows.map(toDatasetFigures);
  }

  writeSamples(...args: Parameters<CutoverStore['writeSamples']>) {
    return this.samples().writeSamples(...args);
  }

  readSamples(...args: Parameters<CutoverStore['readSamples']>) {
    return this.samples().readSamples(...args);
  }

  readSamplesBefore(...args: Parameters<CutoverStore['readSamplesBefore']>) {
    return this.samples().readSamplesBefore(...args);
  }

  downsample(...args: Parameters<CutoverStore['downsample']>) {
    return this.samples().downsample(...args);
  }

  listPhases(...args: Parameters<CutoverStore['listPhases']>) {
    return this.timeline().listPhases(...args);
  }

  listMilestones(...args: Parameters<CutoverStore['listMilestones']>) {
    return this.timeline().listMilestones(...args);
  }

  putPhase(...args: Parameters<CutoverStore['putPhase']>) {
    return this.timeline().putPhase(...args);
  }

  setPhasePaused(...args: Parameters<CutoverStore['setPhasePaused']>) {
    return this.timeline().setPhasePaused(...args);
  }

  putMilestone(...args: Parameters<CutoverStore['putMilestone']>) {
    return this.timeline().putMilestone(...args);
  }

  getIdempotentResponse(
    ...args: Parameters<CutoverStore['getIdempotentResponse']>
  ) {
    return this.idempotency().getIdempotentResponse(...args);
  }

  claimIdempotencyKey(
    ...args: Parameters<CutoverStore['claimIdempotencyKey']>
  ) {
    return this.idempotency().claimIdempotencyKey(...args);
  }

  putIdempotentResponse(
    ...args: Parameters<CutoverStore['putIdempotentResponse']>
  ) {
    return this.idempotency().putIdempotentResponse(...args);
  }

  pruneIdempotencyKeys(
    ...args: Parameters<CutoverStore['pruneIdempotencyKeys']>
  ) {
    return this.idempotency().pruneIdempotencyKeys(...args);
  }

  appendAudit(...args: Parameters<CutoverStore['appendAudit']>) {
    return this.auditTrail().appendAudit(...args);
  }

  listAudit(...args: Parameters<CutoverStore['listAudit']>) {
    return this.auditTrail().listAudit(...args);
  }

  private samples() {
    return new SampleStore(this.db);
  }

  private timeline() {
    return new TimelineStore(this.db);
  }

  private idempotency() {
    return new IdempotencyStore(this.db);
  }

  private auditTrail() {
    return new AuditStore(this.db);
  }
}

function toMigration(
  row: any,
  entityRefs: string[],
  datasets: DatasetFigures[],
): StoredMigration {
  return {
    id: row.id,
    title: row.title,
    description: row.description ?? null,
    owner: row.owner,
    entityRefs,
    approvers: row.approvers ?? null,
    source: json<ConnectionRef | null>(row.source, null),
    destination: json<ConnectionRef | null>(row.destination, null),
    plannedStart: iso(row.planned_start),
    plannedEnd: iso(row.planned_end),
    actualStart: iso(row.actual_start),
    actualEnd: iso(row.actual_end),
    status: row.status as MigrationStatus,
    controlState: row.control_state as ControlState,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    createdBy: row.created_by ?? null,
    checklistTemplate: row.checklist_template ?? 'standard',
    alertRules:
      json<{ alertRules?: StoredMigration['alertRules'] }>(row.plan, {})
        .alertRules ?? {},
    driftThresholds:
      json<{ driftThresholds?: StoredMigration['driftThresholds'] }>(
        row.plan,
        {},
      ).driftThresholds ?? {},
    ...planExtras(row.plan),
    archivedAt: iso(row.archived_at),
    datasets: datasets.map(publicDataset),
  };
}

/** The plan's integrity checks and safety triggers, when it has them. */
function planExtras(
  plan: unknown,
): Pick<StoredMigration, 'integrity' | 'safetyTriggers'> {
  const p = json<Pick<StoredMigration, 'integrity' | 'safetyTriggers'>>(
    plan,
    {},
  );
  return {
    ...(p.integrity ? { integrity: p.integrity } : {}),
    ...(p.safetyTriggers ? { safetyTriggers: p.safetyTriggers } : {}),
  };
}

function publicDataset(d: DatasetFigures) {
  return {
    name: d.name,
    tier: d.tier,
    category: d.category,
    keyColumns: d.keyColumns,
    sourceTable: d.sourceTable,
    destinationTable: d.destinationTable,
    columnMap: d.columnMap,
    ignoreColumns: d.ignoreColumns,
    totalRecords: d.totalRecords,
    importedRecords: d.importedRecords,
    failedRecords: d.failedRecords,
    skippedRecords: d.skippedRecords,
    cutoverState: d.cutoverState,
    readSource: d.readSource,
    ...(d.rollout ? { rollout: d.rollout } : {}),
    lastSampleAt: d.lastSampleAt,
  };
}

function toDatasetFigures(row: any): DatasetFigures {
  const lastSampleAtMs =
    row.last_sample_at === null || row.last_sample_at === undefined
      ? null
      : Number(row.last_sample_at);
  return {
    name: row.name,
    position: Number(row.position),
    tier: Number(row.tier),
    category: row.category ?? null,
    keyColumns: json<string[]>(row.key_columns, []),
    columnMap:
      json<{ columnMap?: Record<string, string> }>(row.compared_columns, {})
        .columnMap ?? {},
    ignoreColumns:
      json<{ ignoreColumns?: string[] }>(row.compared_columns, {})
        .ignoreColumns ?? [],
    sourceTable: row.source_table ?? null,
    destinationTable: row.destination_table ?? null,
    totalRecords: Number(row.total_records ?? row.planned_total ?? 0),
    importedRecords: Number(row.imported_records ?? 0),
    failedRecords: Number(row.failed_records ?? 0),
    skippedRecords: Number(row.skipped_records ?? 0),
    cutoverState: row.cutover_state as DatasetCutoverState,
    readSource: row.read_source as ReadSource,
    rollout:
      row.rollout_source &&
      row.rollout_percent !== null &&
      row.rollout_percent !== undefined
        ? {
            source: row.rollout_source as ReadSource,
            percent: Number(row.rollout_percent),
          }
        : null,
    lastSampleAt: iso(lastSampleAtMs),
    lastSampleAtMs,
    completeness: numOrNull(row.completeness),
    validity: numOrNull(row.validity),
    consistency: numOrNull(row.consistency),
    accuracy: numOrNull(row.accuracy),
    errorsCritical: Number(row.errors_critical ?? 0),
    errorsHigh: Number(row.errors_high ?? 0),
    errorsMedium: Number(row.errors_medium ?? 0),
    errorsLow: Number(row.errors_low ?? 0),
    importRate: Number(row.import_rate ?? 0),
    qualityBaseline: numOrNull(row.quality_baseline),
    bytesMoved: numOrNull(row.bytes_moved),
    byteRate: numOrNull(row.byte_rate),
    cpuSeconds: numOrNull(row.cpu_seconds),
    memoryPeakBytes: numOrNull(row.memory_peak_bytes),
    cost: numOrNull(row.cost),
    errorsByType: json<Record<string, number> | null>(row.errors_by_type, null),
    lastSamplePaused: Boolean(row.last_sample_paused),
  };
}
