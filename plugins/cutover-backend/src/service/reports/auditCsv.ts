import { stringify } from 'csv-stringify';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { CutoverStore } from '../../database/CutoverStore';
import { escapeFormulaText } from './spreadsheetSafe';

const PAGE = 1000;

/** Columns of the audit trail export, in order. */
export const AUDIT_CSV_COLUMNS = [
  'id',
  'at',
  'actor',
  'action',
  'target',
  'before',
  'after',
  'requestId',
];

/**
 * Writes a migration's audit trail as CSV (RFC 4180 quoting, UTF-8, one row per event, oldest
 * last as the API lists them), reading the store page by page so a long trail never sits in
 * memory whole. Cells a spreadsheet would read as formulas (a request id or a title starting
 * with `=`, say) are escaped with a leading single quote.
 */
export async function writeAuditCsv(
  store: CutoverStore,
  migrationId: string,
  out: Writable,
) {
  async function* rows() {
    let afterId: number | undefined;
    for (;;) {
      const { items } = await store.listAudit(migrationId, {
        limit: PAGE,
        afterId,
      });
      for (const e of items) {
        yield [
          e.id,
          e.at,
          e.actor,
          e.action,
          e.target ?? '',
          e.before === null ? '' : JSON.stringify(e.before),
          e.after === null ? '' : JSON.stringify(e.after),
          e.requestId ?? '',
        ];
      }
      if (items.length < PAGE) return;
      afterId = Number(items[items.length - 1].id);
    }
  }
  await pipeline(
    Readable.from(rows()),
    stringify({
      header: true,
      columns: AUDIT_CSV_COLUMNS,
      quoted_match: /[\r\n]/,
      cast: { string: escapeFormulaText },
    }),
    out,
  );
}
