/**
 * Plan drafts benchmark (issue: Backstage-native reach): a source and a destination database on
 * PostgreSQL with BENCH_TABLES tables each (default 1,000; a few columns, a primary key, foreign keys
 * chaining groups of tables), drafted BENCH_ROUNDS times (default 5): both catalogs read and the
 * plan built, as `POST /plans/draft` does. Target: 1,000 tables in under 5 s.
 *
 * Run: ./test/bench/run.sh plan-draft   (PostgreSQL at SWITCHYARD_BENCH_POSTGRES_URL)
 */
import { readSchemaCatalog } from '../../plugins/cutover-backend/src/drafts/catalog';
import { draftPlan } from '../../plugins/cutover-backend/src/drafts/draftPlan';
import { freshDatabase, load, median, ms, n, timed, verdict } from './harness';

const TABLES = Number(process.env.BENCH_TABLES ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TARGET_SECONDS = 5;

/** Tables t0001..tNNNN; every table but the first of each group of ten references the one before. */
function ddl(tables: number): string {
  const name = (i: number) => `t${String(i).padStart(4, '0')}`;
  const statements: string[] = [];
  for (let i = 1; i <= tables; i++) {
    const fk =
      i % 10 === 1 ? '' : `, parent_id int REFERENCES ${name(i - 1)} (id)`;
    statements.push(
      `CREATE TABLE ${name(
        i,
      )} (id int PRIMARY KEY, code text NOT NULL, amount numeric(12,2), created_at timestamptz${fk})`,
    );
  }
  return statements.join(';\n');
}

async function main() {
  console.log(
    `Plan drafts: ${n(
      TABLES,
    )} tables on each side, PostgreSQL, ${ROUNDS} rounds [${load()}]`,
  );
  const source = await freshDatabase('switchyard_bench_draft_source');
  const destination = await freshDatabase('switchyard_bench_draft_destination');
  try {
    await source.knex.raw(ddl(TABLES));
    await destination.knex.raw(ddl(TABLES));
    // Some rows and statistics, as a real schema has.
    await source.knex.raw(
      `INSERT INTO t0001 SELECT g, 'c' || g, g, now() FROM generate_series(1, 20000) g; ANALYZE t0001`,
    );
    const seconds: number[] = [];
    let datasets = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const [draft, s] = await timed(async () => {
        const [src, dst] = await Promise.all([
          readSchemaCatalog(source.knex),
          readSchemaCatalog(destination.knex),
        ]);
        return draftPlan(
          {
            id: 'bench-draft',
            title: 'Bench',
            owner: 'group:default/bench',
            entityRefs: [],
            source: 'bench-source',
            destination: 'bench-destination',
          },
          src,
          dst,
          { source: () => true, destination: () => true },
        );
      });
      datasets = draft.plan.datasets?.length ?? 0;
      seconds.push(s);
      console.log(
        `  round ${round + 1}: ${ms(s)} (${n(datasets)} datasets, ${n(
          draft.relations.length,
        )} relations)`,
      );
    }
    const ok = verdict(
      `draft of ${n(TABLES)} tables, median of ${ROUNDS}`,
      ms(median(seconds)),
      `< ${TARGET_SECONDS} s`,
      median(seconds) < TARGET_SECONDS && datasets === TABLES,
    );
    process.exitCode = ok ? 0 : 1;
  } finally {
    await source.drop();
    await destination.drop();
  }
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
