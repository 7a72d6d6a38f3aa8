import type { JobStatus } from '@switchyard/plugin-cutover-common';

/** Whether long work (a snapshot, a rollback, a reconciliation) is still under way. */
export function isUnderWay(job: { status: JobStatus }): boolean {
  return job.status === 'PENDING' || job.status === 'RUNNING';
}
