import { ExecutionStore } from './ExecutionStore';
import { SnapshotStore } from './SnapshotStore';
import { ReportStore } from './ReportStore';
import {
  DatabaseService,
  LoggerService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import type {
  AuditEvent,
  ConnectionRef,
  ControlState,
  DatasetCutoverState,
  MigrationStatus,
  Milestone,
  ParsedMigrationPlan,
  Phase,
  PhaseStatus,
  SubTask,
  ReadSource,
} from '@switchyard/plugin-cutover-common';
import { qualityScore } from '@switchyard/plugin-cutover-common';
import { Knex } from 'knex';
import { iso, json, numOrNull } from './rows';
import {
  CutoverStore,
  DatasetFigures,
  MigrationChanges,
  MigrationFilter,
  NewAuditEvent,
  SampleWriteResult,
  StoredMigration,
  StoredSample,
} from './CutoverStore';
import { ReadinessStore } from './ReadinessStore';
import { AlertStore } from './AlertStore';
import { GovernanceStore } from './GovernanceStore';

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

const SAMPLE_CHUNK = 500;
const ABSENT = -1;

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

  execution(): ExecutionStore {
    return new ExecutionStore(this.db);
  }

  governance(): GovernanceStore {
    return new GovernanceStore(this.db);
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
    change: { cutoverState?: DatasetCutoverState; readSource?: ReadSource },
  ) {
    const row: Record<string, unknown> = {};
    if (change.cutoverState) row.cutover_state = change.cutoverState;
    if (change.readSource) row.read_source = change.readSource;
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

  async writeSamples(
    migrationId: string,
    samples: StoredSample[],
    options: { rateWindowMs: number },
  ): Promise<SampleWriteResult> {
    return this.transaction(async store => {
      const tx = (store as DatabaseCutoverStore).db;
      await insertSamples(tx, migrationId, samples);

      const newest = new Map<string, StoredSample>();
      for (const s of samples) {
        const seen = newest.get(s.dataset);
        newest.set(
          s.dataset,
          seen && seen.at > s.at ? mergeNewest(seen, s) : mergeNewest(s, seen),
        );
      }
      // In name order: concurrent batches update the same dataset rows in the same order.
      const names = [...newest.keys()].sort(byName);

      // The oldest sample inside each dataset's rate window, in one query: the rate is the
      // counter's increase from there to the newest sample.
      const windowStarts = await tx('cutover_metric_samples as s')
        .select(
          's.dataset',
          's.at',
          's.imported_records',
          's.bytes_moved',
          's.completeness',
          's.validity',
          's.consistency',
          's.accuracy',
        )
        .join(
          tx('cutover_metric_samples')
            .select('dataset')
            .min({ first: 'at' })
            .where('migration_id', migrationId)
            .whereNotNull('imported_records')
            .where(q => {
              for (const [name, s] of newest) {
                q.orWhere(w =>
                  w
                    .where('dataset', name)
                    .where('at', '>=', s.at - options.rateWindowMs)
                    .where('at', '<', s.at),
                );
              }
            })
            .groupBy('dataset')
            .as('w'),
          join =>
            join
              .on('s.dataset', '=', 'w.dataset')
              .andOn('s.at', '=', 'w.first'),
        )
        .where('s.migration_id', migrationId);
      const oldestByName = new Map(windowStarts.map(r => [r.dataset, r]));

      const rows = names.map(name => {
        const s = newest.get(name)!;
        const oldest = oldestByName.get(name);
        let importRate = 0;
        let qualityBaseline: number | null = null;
        let byteRate: number | null = null;
        if (s.bytesMoved !== null && s.bytesMoved !== undefined) {
          byteRate = 0;
          if (oldest && oldest.bytes_moved !== null) {
            const seconds = (s.at - Number(oldest.at)) / 1000;
            const delta = s.bytesMoved - Number(oldest.bytes_moved);
            byteRate = seconds > 0 && delta > 0 ? delta / seconds : 0;
          }
        }
        if (oldest && s.importedRecords !== null) {
          const minutes = (s.at - Number(oldest.at)) / 60_000;
          const delta = s.importedRecords - Number(oldest.imported_records);
          importRate = minutes > 0 && delta > 0 ? delta / minutes : 0;
          qualityBaseline = qualityScore({
            completeness: numOrNull(oldest.completeness),
            validity: numOrNull(oldest.validity),
            consistency: numOrNull(oldest.consistency),
            accuracy: numOrNull(oldest.accuracy),
          });
        }
        return {
          migration_id: migrationId,
          name,
          last_sample_at: s.at,
          total_records: s.totalRecords,
          // NOT NULL counters a sample leaves out travel as -1 (never a valid count) and keep
          // their stored value; both engines check NOT NULL before resolving the conflict.
          imported_records: s.importedRecords ?? ABSENT,
          failed_records: s.failedRecords ?? ABSENT,
          skipped_records: s.skippedRecords ?? ABSENT,
          completeness: s.completeness,
          validity: s.validity,
          consistency: s.consistency,
          accuracy: s.accuracy,
          errors_critical: s.errorsCritical ?? ABSENT,
          errors_high: s.errorsHigh ?? ABSENT,
          errors_medium: s.errorsMedium ?? ABSENT,
          errors_low: s.errorsLow ?? ABSENT,
          import_rate: importRate,
          quality_baseline: qualityBaseline,
          bytes_moved: s.bytesMoved ?? null,
          cpu_seconds: s.cpuSeconds ?? null,
          memory_peak_bytes: s.memoryPeakBytes ?? null,
          cost: s.cost ?? null,
          errors_by_type: s.errorsByType ? JSON.stringify(s.errorsByType) : null,
          byte_rate: byteRate,
          last_sample_paused: s.paused ?? false,
        };
      });

      // One statement for every dataset of the batch. It only ever updates (every dataset
      // exists); the condition on the stored time means a late or concurrent batch never moves
      // figures backwards, and fields a sample leaves out keep their values.
      const keep = (col: string) =>
        tx.raw('COALESCE(excluded.??, ??.??)', [col, 'cutover_datasets', col]);
      const keepCount = (col: string) =>
        tx.raw('CASE WHEN excluded.?? < 0 THEN ??.?? ELSE excluded.?? END', [
          col,
          'cutover_datasets',
          col,
          col,
        ]);
      const keepIfNoCounter = (col: string) =>
        tx.raw(
          'CASE WHEN excluded.imported_records < 0 THEN ??.?? ELSE excluded.?? END',
          ['cutover_datasets', col, col],
        );
      const updated = (await tx('cutover_datasets')
        .insert(rows)
        .onConflict(['migration_id', 'name'])
        .merge({
          last_sample_at: tx.raw('excluded.last_sample_at'),
          total_records: keep('total_records'),
          imported_records: keepCount('imported_records'),
          failed_records: keepCount('failed_records'),
          skipped_records: keepCount('skipped_records'),
          completeness: keep('completeness'),
          validity: keep('validity'),
          consistency: keep('consistency'),
          accuracy: keep('accuracy'),
          errors_critical: keepCount('errors_critical'),
          errors_high: keepCount('errors_high'),
          errors_medium: keepCount('errors_medium'),
          errors_low: keepCount('errors_low'),
          import_rate: keepIfNoCounter('import_rate'),
          quality_baseline: keepIfNoCounter('quality_baseline'),
          bytes_moved: keep('bytes_moved'),
          cpu_seconds: keep('cpu_seconds'),
          memory_peak_bytes: keep('memory_peak_bytes'),
          cost: keep('cost'),
          errors_by_type: keep('errors_by_type'),
          byte_rate: keep('byte_rate'),
          last_sample_paused: tx.raw('excluded.last_sample_paused'),
        })
        .where(q =>
          q
            .whereNull('cutover_datasets.last_sample_at')
            .orWhere(
              'cutover_datasets.last_sample_at',
              '<=',
              tx.raw('excluded.last_sample_at'),
            ),
        )
        .returning('name')) as Array<{ name: string } | string>;
      const changed = updated.map(r => (typeof r === 'string' ? r : r.name));
      return { accepted: samples.length, changedDatasets: changed };
    });
  }

  async readSamples(
    migrationId: string,
    range: { from: number; to: number; dataset?: string },
  ): Promise<StoredSample[]> {
    const query = this.db('cutover_metric_samples')
      .where({ migration_id: migrationId })
      .whereBetween('at', [range.from, range.to])
      .orderBy('at');
    if (range.dataset) query.where('dataset', range.dataset);
    return (await query).map(toSample);
  }

  async readSamplesBefore(
    migrationId: string,
    before: number,
    dataset?: string,
  ): Promise<StoredSample[]> {
    const latest = this.db('cutover_metric_samples')
      .select('dataset')
      .max({ at: 'at' })
      .where({ migration_id: migrationId })
      .where('at', '<', before)
      .groupBy('dataset');
    if (dataset) latest.where('dataset', dataset);
    const rows = await this.db('cutover_metric_samples as s')
      .join(latest.as('l'), join =>
        join.on('s.dataset', '=', 'l.dataset').andOn('s.at', '=', 'l.at'),
      )
      .where('s.migration_id', migrationId)
      .select('s.*');
    return rows.map(toSample);
  }

  async downsample(
    olderThan: number,
    bucketMs: number,
    newerThan: number,
  ): Promise<number> {
    // Keep, per dataset and bucket, only the newest sample: counters are absolute, so the newest
    // sample of a bucket carries everything a trend over that bucket needs.
    // Integer bucket number on both engines (SQLite may bind the divisor as a real).
    const bucket = this.db.raw('CAST(?? / ? AS BIGINT)', ['at', bucketMs]);
    const keep = this.db('cutover_metric_samples')
      .select('migration_id', 'dataset')
      .select(this.db.raw('max(??) as ??', ['at', 'at']))
      .where('at', '<', olderThan)
      .where('at', '>=', newerThan)
      .groupBy('migration_id', 'dataset', bucket);
    const victims = await this.db('cutover_metric_samples as s')
      .select('s.migration_id', 's.dataset', 's.at')
      .leftJoin(keep.as('k'), join =>
        join
          .on('k.migration_id', '=', 's.migration_id')
          .andOn('k.dataset', '=', 's.dataset')
          .andOn('k.at', '=', 's.at'),
      )
      .where('s.at', '<', olderThan)
      .where('s.at', '>=', newerThan)
      .whereNull('k.at');
    // Memory peaks are gauges, not counters: the kept sample of a bucket takes the bucket's highest
    // peak, and its `paused` mark if any sample of the bucket was sent while paused.
    const gauges = await this.db('cutover_metric_samples')
      .select('migration_id', 'dataset')
      .select(this.db.raw('max(??) as ??', ['at', 'at']))
      .select(this.db.raw('max(??) as ??', ['memory_peak_bytes', 'peak']))
      .select(
        this.db.raw('max(CASE WHEN ?? THEN 1 ELSE 0 END) as ??', [
          'paused',
          'any_paused',
        ]),
      )
      .where('at', '<', olderThan)
      .where('at', '>=', newerThan)
      .groupBy('migration_id', 'dataset', bucket)
      .havingRaw('count(*) > 1')
      .havingRaw(
        'max(??) IS NOT NULL OR max(CASE WHEN ?? THEN 1 ELSE 0 END) = 1',
        ['memory_peak_bytes', 'paused'],
      );
    for (const g of gauges) {
      const changes: Record<string, unknown> = {};
      if (g.peak !== null && g.peak !== undefined)
        changes.memory_peak_bytes = Number(g.peak);
      if (Number(g.any_paused) === 1) changes.paused = true;
      await this.db('cutover_metric_samples')
        .where({ migration_id: g.migration_id, dataset: g.dataset, at: g.at })
        .update(changes);
    }
    // Delete by dataset and lists of times, so both engines use the primary key.
    const byDataset = new Map<
      string,
      { migrationId: string; dataset: string; ats: number[] }
    >();
    for (const v of victims) {
      const key = `${v.migration_id}\u0000${v.dataset}`;
      const entry = byDataset.get(key) ?? {
        migrationId: v.migration_id,
        dataset: v.dataset,
        ats: [] as number[],
      };
      entry.ats.push(Number(v.at));
      byDataset.set(key, entry);
    }
    let deleted = 0;
    for (const { migrationId, dataset, ats } of byDataset.values()) {
      for (let i = 0; i < ats.length; i += SAMPLE_CHUNK) {
        deleted += await this.db('cutover_metric_samples')
          .where({ migration_id: migrationId, dataset })
          .whereIn('at', ats.slice(i, i + SAMPLE_CHUNK))
          .delete();
      }
    }
    return deleted;
  }

  async listPhases(migrationId: string): Promise<Phase[]> {
    const rows = await this.db('cutover_phases')
      .where({ migration_id: migrationId, removed: false })
      .orderBy('position');
    return rows.map(toPhase);
  }

  async listMilestones(migrationId: string): Promise<Milestone[]> {
    const rows = await this.db('cutover_milestones')
      .where({ migration_id: migrationId, removed: false })
      .orderBy('position');
    return rows.map(r => ({
      id: r.id,
      name: r.name,
      plannedDate: iso(r.planned_date),
      actualDate: iso(r.actual_date),
      completed: Boolean(r.completed),
    }));
  }

  async putPhase(migrationId: string, phase: Phase, now: number) {
    const row = {
      name: phase.name,
      description: phase.description,
      planned_start: ms(phase.plannedStart),
      planned_end: ms(phase.plannedEnd),
      actual_start: ms(phase.actualStart),
      actual_end: ms(phase.actualEnd),
      progress_percent: phase.progressPercent,
      status: phase.status,
      depends_on: JSON.stringify(phase.dependsOn),
      sub_tasks: JSON.stringify(phase.subTasks),
      errors: JSON.stringify(phase.errors),
      warnings: JSON.stringify(phase.warnings),
      datasets: JSON.stringify(phase.datasets ?? []),
      removed: false,
      updated_at: now,
    };
    const updated = await this.db('cutover_phases')
      .where({ migration_id: migrationId, id: phase.id })
      .update(row);
    if (!updated) {
      const [{ count }] = await this.db('cutover_phases')
        .where({ migration_id: migrationId })
        .count({ count: '*' });
      await this.db('cutover_phases').insert({
        migration_id: migrationId,
        id: phase.id,
        position: Number(count),
        ...row,
      });
    }
  }

  async setPhasePaused(
    migrationId: string,
    phaseId: string,
    paused: { at: number; by: string } | null,
    now: number,
  ): Promise<boolean> {
    const updated = await this.db('cutover_phases')
      .where({ migration_id: migrationId, id: phaseId, removed: false })
      .update({
        paused: paused !== null,
        paused_at: paused?.at ?? null,
        paused_by: paused?.by ?? null,
        updated_at: now,
      });
    return updated > 0;
  }

  async putMilestone(migrationId: string, milestone: Milestone, now: number) {
    const row = {
      name: milestone.name,
      planned_date: ms(milestone.plannedDate),
      actual_date: ms(milestone.actualDate),
      completed: milestone.completed,
      removed: false,
      updated_at: now,
    };
    const updated = await this.db('cutover_milestones')
      .where({ migration_id: migrationId, id: milestone.id })
      .update(row);
    if (!updated) {
      const [{ count }] = await this.db('cutover_milestones')
        .where({ migration_id: migrationId })
        .count({ count: '*' });
      await this.db('cutover_milestones').insert({
        migration_id: migrationId,
        id: milestone.id,
        position: Number(count),
        ...row,
      });
    }
  }

  async getIdempotentResponse(migrationId: string, key: string) {
    const row = await this.db('cutover_idempotency_keys')
      .where({ migration_id: migrationId, key })
      .first();
    return row ? JSON.parse(row.response) : undefined;
  }

  async claimIdempotencyKey(
    migrationId: string,
    key: string,
    now: number,
  ): Promise<boolean> {
    const inserted = await this.db('cutover_idempotency_keys')
      .insert({ migration_id: migrationId, key, at: now, response: null })
      .onConflict(['migration_id', 'key'])
      .ignore()
      .returning('key');
    return inserted.length > 0;
  }

  async putIdempotentResponse(
    migrationId: string,
    key: string,
    response: unknown,
    now: number,
  ) {
    await this.db('cutover_idempotency_keys')
      .insert({
        migration_id: migrationId,
        key,
        at: now,
        response: JSON.stringify(response),
      })
      .onConflict(['migration_id', 'key'])
      .merge(['response']);
  }

  async pruneIdempotencyKeys(olderThan: number) {
    return this.db('cutover_idempotency_keys')
      .where('at', '<', olderThan)
      .delete();
  }

  async appendAudit(event: NewAuditEvent, now: number): Promise<AuditEvent> {
    const row = {
      migration_id: event.migrationId,
      at: now,
      actor: event.actor,
      action: event.action,
      target: event.target ?? null,
      before: event.before === undefined ? null : JSON.stringify(event.before),
      after: event.after === undefined ? null : JSON.stringify(event.after),
      request_id: event.requestId ?? null,
      outcome: event.outcome ?? 'success',
      severity: event.severity ?? 'medium',
    };
    const [inserted] = await this.db('cutover_audit_events').insert(row, [
      'id',
    ]);
    const id = typeof inserted === 'object' ? inserted.id : inserted;
    return toAuditEvent({ ...row, id });
  }

  async listAudit(
    migrationId: string,
    page: { limit: number; afterId?: number },
  ) {
    const query = this.db('cutover_audit_events')
      .where({ migration_id: migrationId })
      .orderBy('id', 'desc')
      .limit(page.limit);
    if (page.afterId !== undefined) query.where('id', '<', page.afterId);
    const [rows, [{ count }]] = await Promise.all([
      query,
      this.db('cutover_audit_events')
        .where({ migration_id: migrationId })
        .count({ count: '*' }),
    ]);
    return { items: rows.map(toAuditEvent), totalCount: Number(count) };
  }
}

function ms(isoTime: string | null): number | null {
  return isoTime === null ? null : Date.parse(isoTime);
}

function toPhase(r: any): Phase {
  return {
    id: r.id,
    name: r.name,
    description: r.description ?? null,
    plannedStart: iso(r.planned_start),
    plannedEnd: iso(r.planned_end),
    actualStart: iso(r.actual_start),
    actualEnd: iso(r.actual_end),
    progressPercent: Number(r.progress_percent ?? 0),
    status: r.status as PhaseStatus,
    dependsOn: json<string[]>(r.depends_on, []),
    subTasks: json(r.sub_tasks, []),
    errors: json<string[]>(r.errors, []),
    warnings: json<string[]>(r.warnings, []),
    datasets: json<string[]>(r.datasets, []),
    paused: Boolean(r.paused),
    pausedAt: iso(r.paused_at),
    pausedBy: r.paused_by ?? null,
  };
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
    archivedAt: iso(row.archived_at),
    datasets: datasets.map(publicDataset),
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

function sampleRow(migrationId: string, s: StoredSample) {
  return {
    migration_id: migrationId,
    dataset: s.dataset,
    at: s.at,
    total_records: s.totalRecords,
    imported_records: s.importedRecords,
    failed_records: s.failedRecords,
    skipped_records: s.skippedRecords,
    completeness: s.completeness,
    validity: s.validity,
    consistency: s.consistency,
    accuracy: s.accuracy,
    errors_critical: s.errorsCritical,
    errors_high: s.errorsHigh,
    errors_medium: s.errorsMedium,
    errors_low: s.errorsLow,
    during_freeze: s.duringFreeze,
    bytes_moved: s.bytesMoved ?? null,
    cpu_seconds: s.cpuSeconds ?? null,
    memory_peak_bytes: s.memoryPeakBytes ?? null,
    cost: s.cost ?? null,
    errors_by_type: s.errorsByType ? JSON.stringify(s.errorsByType) : null,
    paused: s.paused ?? false,
  };
}

const SAMPLE_COLUMNS = [
  'dataset',
  'at',
  'total_records',
  'imported_records',
  'failed_records',
  'skipped_records',
  'completeness',
  'validity',
  'consistency',
  'accuracy',
  'errors_critical',
  'errors_high',
  'errors_medium',
  'errors_low',
  'during_freeze',
  'bytes_moved',
  'cpu_seconds',
  'memory_peak_bytes',
  'cost',
  'errors_by_type',
  'paused',
] as const;
const SAMPLE_PG_TYPES = [
  'text',
  'bigint',
  'bigint',
  'bigint',
  'bigint',
  'bigint',
  'real',
  'real',
  'real',
  'real',
  'bigint',
  'bigint',
  'bigint',
  'bigint',
  'boolean',
  'bigint',
  'double precision',
  'bigint',
  'double precision',
  'text',
  'boolean',
];

/**
 * Stores samples; a sample re-sent for the same dataset and time replaces itself, so it is never
 * counted twice. On PostgreSQL the batch goes as one statement of column arrays (unnest), which
 * spares building thousands of bound parameters; elsewhere as chunked multi-row inserts.
 */
async function insertSamples(
  tx: Knex | Knex.Transaction,
  migrationId: string,
  samples: StoredSample[],
) {
  const rows = dedupeRows(samples.map(s => sampleRow(migrationId, s)));
  if (tx.client.config.client === 'pg') {
    const columns = SAMPLE_COLUMNS.map(c => rows.map(r => (r as any)[c]));
    const updates = SAMPLE_COLUMNS.filter(c => c !== 'dataset' && c !== 'at')
      .map(c => `"${c}" = excluded."${c}"`)
      .join(', ');
    await tx.raw(
      `INSERT INTO cutover_metric_samples (migration_id, ${SAMPLE_COLUMNS.map(
        c => `"${c}"`,
      ).join(', ')})
       SELECT ?, * FROM unnest(${SAMPLE_PG_TYPES.map(t => `?::${t}[]`).join(
         ', ',
       )})
       ON CONFLICT (migration_id, dataset, at) DO UPDATE SET ${updates}`,
      [migrationId, ...columns],
    );
    return;
  }
  for (let i = 0; i < rows.length; i += SAMPLE_CHUNK) {
    await tx('cutover_metric_samples')
      .insert(rows.slice(i, i + SAMPLE_CHUNK))
      .onConflict(['migration_id', 'dataset', 'at'])
      .merge();
  }
}

/**
 * Within one INSERT the same key may appear once only (PostgreSQL refuses otherwise): last wins.
 * Sorted by key, so that concurrent batches with overlapping samples lock rows in the same order
 * (in batch order two such batches deadlock on PostgreSQL).
 */
function dedupeRows<T extends { dataset: string; at: number }>(rows: T[]): T[] {
  const byKey = new Map<string, T>();
  for (const r of rows) byKey.set(`${r.dataset}\u0000${r.at}`, r);
  return [...byKey.values()].sort(
    (a, b) => byName(a.dataset, b.dataset) || a.at - b.at,
  );
}

/** Code-point order (not locale order), the same on every instance. */
function byName(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** The newest sample, with fields it lacks taken from an older one of the same batch. */
function mergeNewest(newer: StoredSample, older?: StoredSample): StoredSample {
  if (!older) return newer;
  const out = { ...newer };
  for (const key of Object.keys(out) as (keyof StoredSample)[]) {
    if (out[key] === null && older[key] !== null)
      (out as any)[key] = older[key];
  }
  return out;
}

function toSample(row: any): StoredSample {
  return {
    dataset: row.dataset,
    at: Number(row.at),
    totalRecords: numOrNull(row.total_records),
    importedRecords: numOrNull(row.imported_records),
    failedRecords: numOrNull(row.failed_records),
    skippedRecords: numOrNull(row.skipped_records),
    completeness: numOrNull(row.completeness),
    validity: numOrNull(row.validity),
    consistency: numOrNull(row.consistency),
    accuracy: numOrNull(row.accuracy),
    errorsCritical: numOrNull(row.errors_critical),
    errorsHigh: numOrNull(row.errors_high),
    errorsMedium: numOrNull(row.errors_medium),
    errorsLow: numOrNull(row.errors_low),
    duringFreeze: Boolean(row.during_freeze),
    bytesMoved: numOrNull(row.bytes_moved),
    cpuSeconds: numOrNull(row.cpu_seconds),
    memoryPeakBytes: numOrNull(row.memory_peak_bytes),
    cost: numOrNull(row.cost),
    errorsByType: json<Record<string, number> | null>(row.errors_by_type, null),
    paused: Boolean(row.paused),
  };
}

function toAuditEvent(row: any): AuditEvent {
  return {
    id: String(row.id),
    migrationId: row.migration_id,
    at: iso(row.at)!,
    actor: row.actor,
    action: row.action,
    target: row.target ?? null,
    before: json(row.before, null),
    after: json(row.after, null),
    requestId: row.request_id ?? null,
    outcome: row.outcome === 'failure' ? 'failure' : 'success',
    severity: row.severity ?? 'medium',
  };
}
