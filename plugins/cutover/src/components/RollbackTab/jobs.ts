import type { JobStatus, Snapshot } from '@switchyard/plugin-cutover-common';

/** Whether long work (a snapshot or a rollback) is still under way. */
export function isActive(job: { status: JobStatus }): boolean {
  return job.status === 'PENDING' || job.status === 'RUNNING';
}

/** Records in a snapshot, over all its datasets. */
export function totalRecords(snapshot: Snapshot): number {
  return Object.values(snapshot.recordCounts ?? {}).reduce(
    (sum, n) => sum + n,
    0,
  );
}
