// The snapshot and rollback sheets of the detailed workbook.
import ExcelJS from 'exceljs';
import type { Rollback, Snapshot } from '@switchyard/plugin-cutover-common';
import { col, date, dates, DATE, INT, rowsOf, sheet } from './sheet';

function verificationText(s: Snapshot): string {
  if (!s.lastVerification) return 'not verified';
  return `${
    s.lastVerification.matches ? 'matches' : 'differs'
  } (${s.lastVerification.at.slice(0, 16).replace('T', ' ')})`;
}

/** Snapshots and rollbacks; while that capability is not installed, both sheets say so. */
export function snapshotSheets(
  wb: ExcelJS.stream.xlsx.WorkbookWriter,
  snapshots: Snapshot[] | null | undefined,
  rollbacks: Rollback[] | null | undefined,
) {
  if (snapshots && rollbacks) {
    const names = new Map(snapshots.map(x => [x.id, x.name]));
    sheet(
      wb,
      'Snapshots',
      [
        col('Name', 'name', 30),
        col('Status', 'status', 11),
        col('Datasets', 'datasets', 30),
        col('Records', 'records', 12, INT),
        col('Size (bytes)', 'sizeBytes', 14, INT),
        col('Taken', 'createdAt', 18, DATE),
        col('By', 'createdBy', 28),
        col('Expires', 'expiresAt', 18, DATE),
        col('Backup before rollback', 'backup', 12),
        col('Last verification', 'verification', 18),
        col('Checksums', 'checksums', 60),
      ],
      rowsOf(snapshots, x => ({
        ...x,
        datasets: x.datasets.join(', '),
        records: Object.values(x.recordCounts).reduce((a, b) => a + b, 0),
        ...dates(x, 'createdAt', 'expiresAt'),
        backup: !!x.backupForRollback,
        verification: verificationText(x),
        checksums: Object.entries(x.checksums)
          .map(([k, v]) => `${k}=${v}`)
          .join('; '),
      })),
    );
    sheet(
      wb,
      'Rollbacks',
      [
        col('Started', 'createdAt', 18, DATE),
        col('By', 'createdBy', 28),
        col('Snapshot', 'snapshot', 30),
        col('Datasets', 'datasets', 30),
        col('Status', 'status', 11),
        col('Restored', 'recordsRestored', 11, INT),
        col('Deleted', 'recordsDeleted', 11, INT),
        col('Duration (s)', 'seconds', 12, '0.0'),
        col('Verified', 'verified', 9),
        col('Backup snapshot', 'backup', 30),
        col('Errors', 'errors', 60),
      ],
      rowsOf(rollbacks, r => ({
        ...r,
        createdAt: date(r.createdAt),
        snapshot: names.get(r.snapshotId) ?? r.snapshotId,
        datasets: r.datasets.join(', '),
        seconds: r.durationMs === null ? null : r.durationMs / 1000,
        backup: r.backupSnapshotId
          ? names.get(r.backupSnapshotId) ?? r.backupSnapshotId
          : '',
        errors: r.errors
          .map(e => `${e.dataset ?? 'rollback'}: ${e.message}`)
          .join('; '),
      })),
    );
  } else {
    const notYet = [
      {
        note: 'Snapshots and rollback are not available in this installation.',
      },
    ];
    sheet(
      wb,
      'Snapshots',
      [col('Note', 'note', 70)],
      rowsOf(notYet, x => x),
    );
    sheet(
      wb,
      'Rollbacks',
      [col('Note', 'note', 70)],
      rowsOf(notYet, x => x),
    );
  }
}
