import { Config } from '@backstage/config';
import type {
  GoldenQueryResult,
  IntegrityResults,
  Migration,
  RelationCheckResult,
} from '@switchyard/plugin-cutover-common';
import { Knex } from 'knex';
import { duration } from '../service/settings';
import {
  checkRelation,
  compareGolden,
  declaredRelations,
  discoverRelations,
  GOLDEN_QUERY_TIMEOUT_MS,
  GoldenSide,
  RelationSpec,
  runGoldenQuery,
} from './IntegrityChecker';

/** Settings from `cutover.integrity`. */
export interface IntegritySettings {
  /** Statement timeout of each relation check. Default 5 minutes. */
  statementTimeoutMs: number;
  /** Timed executions of each golden query per side (the fastest counts). Default 3. */
  goldenQueryRepeats: number;
}

export function readIntegritySettings(root: Config): IntegritySettings {
  const c = root.getOptionalConfig('cutover.integrity');
  return {
    statementTimeoutMs: duration(c, 'statementTimeout', 5 * 60_000),
    goldenQueryRepeats: c?.getOptionalNumber('goldenQueryRepeats') ?? 3,
  };
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * The integrity part of a reconciliation: foreign-key relations between the plan's destination
 * tables (declared in the plan, and read from the destination's constraints unless the plan says
 * `readConstraints: false`) checked for orphans inside the destination, and the plan's golden
 * queries run on both sides and compared. Only tables of the plan's datasets are read.
 */
export class IntegrityService {
  constructor(
    private readonly deps: {
      /** The Knex instance of a configured connection, or undefined (a module serves it). */
      knexFor: (connection: string) => Knex | undefined;
      settings: IntegritySettings;
    },
  ) {}

  /** Whether a run of this migration has anything to check. */
  applies(migration: Migration): boolean {
    const dest = migration.destination?.connection;
    return !!dest && !!this.deps.knexFor(dest);
  }

  async run(
    migration: Migration,
    datasets: string[],
  ): Promise<IntegrityResults | undefined> {
    const source = migration.source?.connection;
    const dest = migration.destination?.connection;
    const destination = dest ? this.deps.knexFor(dest) : undefined;
    if (!destination) return undefined;
    const included = new Set(datasets);
    return {
      relations: await this.relations(migration, destination, included),
      goldenQueries: await this.goldenQueries(
        migration,
        source ? this.deps.knexFor(source) : undefined,
        destination,
        included,
      ),
    };
  }

  private async relations(
    migration: Migration,
    knex: Knex,
    included: Set<string>,
  ): Promise<RelationCheckResult[]> {
    let specs: RelationSpec[];
    const failed = (name: string, error: string): RelationCheckResult => ({
      name,
      origin: 'PLAN',
      dataset: '',
      columns: [],
      references: { dataset: '', columns: [] },
      status: 'FAILED',
      checked: null,
      orphans: null,
      sampleKeys: [],
      durationMs: null,
      error,
    });
    try {
      specs = declaredRelations(migration);
    } catch (e) {
      return [failed('declared relations', message(e))];
    }
    const extra: RelationCheckResult[] = [];
    if (migration.integrity?.readConstraints !== false) {
      const tables = migration.datasets
        .filter(d => d.destinationTable)
        .map(d => ({
          name: d.name,
          table: d.destinationTable!,
          keyColumns: d.keyColumns.map(k => d.columnMap?.[k] ?? k),
        }));
      try {
        const same = (a: RelationSpec, b: RelationSpec) =>
          a.dataset === b.dataset &&
          a.references.dataset === b.references.dataset &&
          a.columns.join() === b.columns.join();
        for (const found of await discoverRelations(knex, tables)) {
          if (!specs.some(s => same(s, found))) specs.push(found);
        }
      } catch (e) {
        extra.push(
          failed(
            'constraints',
            `reading the destination's foreign keys failed: ${message(e)}`,
          ),
        );
      }
    }
    const results: RelationCheckResult[] = [];
    for (const spec of specs.filter(s => included.has(s.dataset))) {
      results.push(
        await checkRelation(knex, spec, this.deps.settings.statementTimeoutMs),
      );
    }
    return [...results, ...extra];
  }

  private async goldenQueries(
    migration: Migration,
    source: Knex | undefined,
    destination: Knex,
    included: Set<string>,
  ): Promise<GoldenQueryResult[]> {
    const results: GoldenQueryResult[] = [];
    const sourceTables = migration.datasets
      .map(d => d.sourceTable)
      .filter((t): t is string => !!t);
    const destinationTables = migration.datasets
      .map(d => d.destinationTable)
      .filter((t): t is string => !!t);
    for (const q of migration.integrity?.goldenQueries ?? []) {
      if (q.datasets?.length && !q.datasets.some(d => included.has(d)))
        continue;
      const result: GoldenQueryResult = {
        name: q.name,
        status: 'FAILED',
        sourceRows: null,
        destinationRows: null,
        sourceMs: null,
        destinationMs: null,
        slowdown: null,
        ordered: false,
        differences: [],
        error: null,
      };
      const timeoutMs = q.timeoutMs ?? GOLDEN_QUERY_TIMEOUT_MS;
      const side = async (
        label: string,
        knex: Knex | undefined,
        sql: string,
        allowedTables: string[],
      ): Promise<GoldenSide> => {
        if (!knex)
          throw new Error(
            `the ${label} connection is not one Switchyard reaches itself`,
          );
        try {
          return await runGoldenQuery(knex, sql, {
            timeoutMs,
            allowedTables,
            repeats: this.deps.settings.goldenQueryRepeats,
          });
        } catch (e) {
          throw new Error(`on the ${label}: ${message(e)}`);
        }
      };
      try {
        const a = await side('source', source, q.sql, sourceTables);
        const b = await side(
          'destination',
          destination,
          q.destinationSql ?? q.sql,
          destinationTables,
        );
        Object.assign(result, compareGolden(q, a, b), {
          sourceRows: a.rows.length,
          destinationRows: b.rows.length,
          sourceMs: a.ms,
          destinationMs: b.ms,
          slowdown: a.ms > 0 ? b.ms / a.ms - 1 : null,
        });
      } catch (e) {
        result.error = message(e);
      }
      results.push(result);
    }
    return results;
  }
}
