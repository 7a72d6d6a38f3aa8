/**
 * Snapshot and restore benchmark on PostgreSQL (issue: snapshots and rollback).
 *
 * On a fresh database with a 1,000,000-row table, times
 *   (a) the knex snapshot provider: create (copy + checksum), then restore after changing some rows
 *       (updates, deletes, inserts), the restore verifying count and checksum before commit;
 *   (b) `pg_dump -Fc -t <table>` to a temporary file + `pg_restore --clean --if-exists -d <db>` of
 *       the same table (spawned processes);
 * and prints both (with their parts) and the ratio ours / pg_dump (target <= 2x). Each is run
 * BENCH_ROUNDS times (default 3), alternating, with a CHECKPOINT before every timed step; the
 * medians are compared.
 *
 * Run: ./test/bench/run.sh snapshot-restore   (PostgreSQL at SWITCHYARD_BENCH_POSTGRES_URL,
 * default postgresql://postgres@127.0.0.1:5432; pg_dump and pg_restore on PATH)
 */
import { Knex } from 'knex';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CutoverConnections } from '../../plugins/cutover-backend/src/snapshots/connections';
import { KnexSnapshotProvider } from '../../plugins/cutover-backend/src/snapshots/KnexSnapshotProvider';
import { freshDatabase, load, median, timed } from './harness';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TABLE = 'bench_orders';
const DATABASE = 'switchyard_bench_snapshot';
const TARGET_RATIO = 2;

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', d => {
      stderr += d;
    });
    child.once('error', reject);
    child.once('exit', code =>
      code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}: ${stderr.trim()}`)),
    );
  });
}

/** A progress reporter that records when each step started, to print the parts of a run. */
function phases() {
  const marks: Array<{ at: number; message: string }> = [];
  const reporter = (_percent: number, message?: string) => {
    marks.push({ at: performance.now(), message: message ?? '' });
  };
  const describe = () =>
    marks
      .slice(0, -1)
      .map((m, i) => `${m.message}: ${s((marks[i + 1].at - m.at) / 1000)}`)
      .join(', ');
  return { reporter, describe };
}

const s = (seconds: number) => `${seconds.toFixed(2)} s`;

async function changeSomeRows(knex: Knex, round: number) {
  // 1% updated, 0.1% deleted, 0.1% inserted: the restore has work of every kind.
  await knex.raw(`UPDATE ?? SET amount = amount + 1, note = 'changed ' || ? WHERE id % 100 = ?`, [TABLE, round, round]);
  await knex.raw('DELETE FROM ?? WHERE id % 1000 = ?', [TABLE, 550 + round]);
  await knex.raw(
    `INSERT INTO ?? SELECT g, 'late customer', 1, now(), NULL, 'new' FROM generate_series(?::bigint, ?::bigint) g`,
    [TABLE, ROWS + round * 10_000 + 1, ROWS + round * 10_000 + ROWS / 1000],
  );
}

async function main() {
  const db = await freshDatabase(DATABASE, { min: 1, max: 4 });
  const { knex, url } = db;
  console.log(`snapshot-restore benchmark: ${ROWS.toLocaleString('en-US')} rows, ${ROUNDS} rounds [${load()}]`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-bench-'));
  const dumpFile = path.join(tmp, `${TABLE}.dump`);
  try {
    const [, loadTime] = await timed(async () => {
      await knex.raw(`CREATE TABLE ?? (
        id bigint PRIMARY KEY,
        customer text NOT NULL,
        amount numeric(12, 2),
        created_at timestamptz NOT NULL,
        note text,
        status text NOT NULL
      )`, [TABLE]);
      await knex.raw(
        `INSERT INTO ?? SELECT g, 'customer ' || (g % 5000), (g % 100000) / 100.0,
           timestamptz '2024-01-01' + g * interval '1 minute',
           CASE WHEN g % 7 = 0 THEN NULL ELSE 'note ' || g END,
           (ARRAY['new', 'paid', 'shipped'])[1 + g % 3]
         FROM generate_series(1, ?::bigint) g`,
        [TABLE, ROWS],
      );
      await knex.raw('VACUUM ANALYZE ??', [TABLE]);
    });
    console.log(`table ${TABLE}: ${ROWS.toLocaleString('en-US')} rows loaded in ${s(loadTime)}`);

    const connections = new CutoverConnections({ bench: knex });
    const provider = new KnexSnapshotProvider(connections);
    const target = { migrationId: 'bench', dataset: 'orders', connection: 'bench', table: TABLE, keyColumns: ['id'] };
    const checkpoint = () => knex.raw('CHECKPOINT');

    const ours = { create: [] as number[], restore: [] as number[], total: [] as number[] };
    const theirs = { dump: [] as number[], restore: [] as number[], total: [] as number[] };
    let ok = true;
    for (let round = 1; round <= ROUNDS; round++) {
      // (a) our snapshot create + restore
      await checkpoint();
      const createPhases = phases();
      const [figures, createTime] = await timed(() =>
        provider.create(`bench-${round}`, target, createPhases.reporter),
      );
      await changeSomeRows(knex, round);
      const changed = await provider.measure(target);
      await checkpoint();
      const restorePhases = phases();
      const [counts, restoreTime] = await timed(() =>
        provider.restore(`bench-${round}`, target, figures, restorePhases.reporter),
      );
      const after = await provider.measure(target);
      const exact = after.checksum === figures.checksum && after.recordCount === figures.recordCount;
      ok = ok && exact && changed.checksum !== figures.checksum;
      await provider.delete(`bench-${round}`, target, figures);
      ours.create.push(createTime);
      ours.restore.push(restoreTime);
      ours.total.push(createTime + restoreTime);
      console.log(
        `round ${round} ours: create ${s(createTime)} [${createPhases.describe()}] (copy ${(figures.sizeBytes / 1e6).toFixed(0)} MB, ${figures.recordCount.toLocaleString('en-US')} records)\n` +
          `              + restore ${s(restoreTime)} [${restorePhases.describe()}] (${counts.recordsRestored.toLocaleString('en-US')} restored, ${counts.recordsDeleted.toLocaleString('en-US')} deleted; afterwards measured ${exact ? 'equal to the snapshot' : 'DIFFERENT from the snapshot'})\n` +
          `              = ${s(createTime + restoreTime)}`,
      );

      // (b) pg_dump + pg_restore of the same table
      await checkpoint();
      const [, dumpTime] = await timed(() => run('pg_dump', ['-Fc', '-t', TABLE, '-f', dumpFile, '-d', url]));
      await checkpoint();
      const [, pgRestoreTime] = await timed(() =>
        run('pg_restore', ['--clean', '--if-exists', '-d', url, dumpFile]),
      );
      fs.rmSync(dumpFile, { force: true });
      theirs.dump.push(dumpTime);
      theirs.restore.push(pgRestoreTime);
      theirs.total.push(dumpTime + pgRestoreTime);
      console.log(
        `round ${round} pg_dump -Fc ${s(dumpTime)} + pg_restore --clean ${s(pgRestoreTime)} = ${s(dumpTime + pgRestoreTime)}`,
      );
      const [{ n }] = (await knex.raw('SELECT count(*)::int AS n FROM ??', [TABLE])).rows;
      ok = ok && n === ROWS;
    }

    const oursTotal = median(ours.total);
    const theirsTotal = median(theirs.total);
    const ratio = oursTotal / theirsTotal;
    console.log(
      `median ours: create ${s(median(ours.create))} + restore ${s(median(ours.restore))} = ${s(oursTotal)}`,
    );
    console.log(
      `median pg_dump/pg_restore: dump ${s(median(theirs.dump))} + restore ${s(median(theirs.restore))} = ${s(theirsTotal)}`,
    );
    const pass = ok && ratio <= TARGET_RATIO;
    console.log(
      `ratio ours / pg_dump+pg_restore = ${ratio.toFixed(2)}x (target <= ${TARGET_RATIO}x) [${load()}]${ok ? '' : ' - RESULTS NOT EXACT'}: ${pass ? 'PASS' : 'FAIL'}`,
    );
    if (!pass) process.exitCode = 1;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
    await db.drop();
  }
}

main().catch(e => {
  console.error(e);
  process.exitCode = 1;
});
