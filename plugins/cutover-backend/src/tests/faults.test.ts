/**
 * Fault drills (see faults.ts): snapshot and rollback children SIGKILLed at random points, on a
 * SQLite FILE (rollback journal and WAL) and on PostgreSQL when SWITCHYARD_TEST_DATABASES lists
 * it. Every dataset must end exactly as before or exactly as in the snapshot (rows and checksums),
 * and a rollback job left behind by a dead process must be failed by the next backend's start-up.
 *
 * SWITCHYARD_FAULT_CYCLES (default 24) cycles per database; SWITCHYARD_FAULT_SEED repeats a run
 * (the seed is printed with the summary). scripts/faults runs 1,000.
 */
import { TestDatabaseId } from '@backstage/backend-test-utils';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { as, startCutoverBackend } from '../__testUtils__/backend';
import { cutoverTestDatabases } from '../__testUtils__/databases';
import {
  FaultDatabase,
  FaultOptions,
  formatSummary,
  postgresFaultDatabase,
  runFaultCycles,
  sqliteFaultDatabase,
  StartDrillBackend,
} from '../__testUtils__/faultDrill';

const CYCLES = Number(process.env.SWITCHYARD_FAULT_CYCLES ?? 24);
const SEED = process.env.SWITCHYARD_FAULT_SEED
  ? Number(process.env.SWITCHYARD_FAULT_SEED)
  : undefined;
/** Job cycles of the focused test: each may wait for a stale heartbeat and start a backend. */
const JOB_CYCLES = 4;

jest.setTimeout(60_000 + CYCLES * 4_000);

const databases = cutoverTestDatabases();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-faults-'));
const opened: FaultDatabase[] = [];

afterAll(async () => {
  for (const db of opened) await db.knex.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

type Variant = {
  label: string;
  id: TestDatabaseId;
  journal?: 'delete' | 'wal';
  cycles: number;
};

const variants: Variant[] = databases
  .eachSupportedId()
  .flatMap(([id]): Variant[] => {
    if (id === 'SQLITE_3') {
      return [
        {
          label: 'SQLite file, rollback journal',
          id,
          journal: 'delete',
          cycles: CYCLES,
        },
        {
          label: 'SQLite file, WAL',
          id,
          journal: 'wal',
          cycles: Math.max(1, Math.round(CYCLES / 2)),
        },
      ];
    }
    return [{ label: id, id, cycles: CYCLES }];
  });

async function open(variant: Variant, name: string): Promise<FaultDatabase> {
  const db = variant.journal
    ? await sqliteFaultDatabase(
        path.join(dir, `${name}.sqlite`),
        variant.journal,
      )
    : postgresFaultDatabase(await databases.init(variant.id));
  opened.push(db);
  return db;
}

/** The plugin with the real permission backend and the test policy; `as.owner` is in orders-team. */
const startBackend: StartDrillBackend = async options => ({
  ...(await startCutoverBackend(options)),
  as,
  owner: 'group:default/orders-team',
});

async function drill(
  db: FaultDatabase,
  options: Omit<FaultOptions, 'startBackend'>,
) {
  const summary = await runFaultCycles(db, {
    seed: SEED,
    startBackend,
    ...options,
  });
  // eslint-disable-next-line no-console
  console.log(formatSummary(summary));
  return summary;
}

describe.each(variants.map(v => [v.label, v] as const))(
  'fault drill on %s',
  (_label, variant) => {
    it(`kills snapshot and restore children at random points (${variant.cycles} cycles): every dataset is exactly as before or as the snapshot`, async () => {
      const db = await open(variant, `random-${variant.journal ?? 'pg'}`);
      const summary = await drill(db, { cycles: variant.cycles });
      expect(summary.mismatchDetails).toEqual([]);
      expect(summary.childErrors).toEqual([]);
      expect(summary.cycles).toBe(variant.cycles);
      const killed = Object.values(summary.kills).reduce((a, b) => a + b, 0);
      expect(killed + summary.finished).toBe(variant.cycles);
      expect(killed).toBeGreaterThan(0);
    });

    it('a rollback job killed inside or just after a restore is failed by the next backend on start-up, and the migration can roll back again', async () => {
      const db = await open(variant, `jobs-${variant.journal ?? 'pg'}`);
      const summary = await drill(db, {
        cycles: JOB_CYCLES,
        modes: ['job'],
        killAt: [
          'job-accepted',
          'restore-progress',
          'before-commit',
          'restored',
        ],
      });
      expect(summary.mismatchDetails).toEqual([]);
      expect(summary.childErrors).toEqual([]);
      const { jobs } = summary;
      // The kills land after the job was accepted; all but a late one land before it finished.
      expect(jobs.notAccepted).toBe(0);
      expect(jobs.failedAtStartup + jobs.finishedByChild).toBe(JOB_CYCLES);
      expect(jobs.failedAtStartup).toBeGreaterThan(0);
      // Found by the start-up sweep alone, never left hanging, and not blocking the next rollback.
      expect(jobs.failedByTriggeredSweep).toBe(0);
      expect(jobs.recovered).toBe(jobs.failedAtStartup);
    });
  },
);
