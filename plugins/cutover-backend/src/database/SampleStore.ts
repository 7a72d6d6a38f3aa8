import { qualityScore } from '@switchyard/plugin-cutover-common';
import { Knex } from 'knex';
import { json, numOrNull } from './columnValues';
import { SampleWriteResult, StoredSample } from './CutoverStore';

const SAMPLE_CHUNK = 500;
const ABSENT = -1;

/** Metric samples of datasets: writing them (with the datasets' latest figures), reading them, downsampling old ones. */
export class SampleStore {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  async writeSamples(
    migrationId: string,
    samples: StoredSample[],
    options: { rateWindowMs: number },
  ): Promise<SampleWriteResult> {
    return inTransaction(this.db, async tx => {
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
}

/** Runs `fn` in the transaction `db` is, or in a new one. */
function inTransaction<T>(
  db: Knex | Knex.Transaction,
  fn: (tx: Knex.Transaction) => Promise<T>,
): Promise<T> {
  return db.isTransaction
    ? fn(db as Knex.Transaction)
    : (db as Knex).transaction(fn);
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
