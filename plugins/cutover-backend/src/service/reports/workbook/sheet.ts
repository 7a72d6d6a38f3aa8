import ExcelJS from 'exceljs';
import { spreadsheetSafe } from '../spreadsheetSafe';

export type Column = {
  header: string;
  key: string;
  width: number;
  numFmt?: string;
};

/** A column: its header, the row key it shows, its width and its number format if any. */
export const col = (
  header: string,
  key: string,
  width: number,
  numFmt?: string,
): Column => ({ header, key, width, numFmt });

/** The items mapped to rows one at a time, so no second copy of a large list is built. */
export function* rowsOf<T>(
  items: Iterable<T>,
  toRow: (item: T) => Record<string, unknown>,
) {
  for (const item of items) yield toRow(item);
}

/**
 * Adds a sheet with a bold, frozen, filterable header row and typed cells. Rows are committed
 * (written out) as they are added and the sheet is committed at the end, so memory stays flat
 * however many rows there are. Every text cell goes through the formula guard here, so no sheet
 * can carry user text that a spreadsheet would run.
 */
export function sheet(
  wb: ExcelJS.stream.xlsx.WorkbookWriter,
  name: string,
  columns: Column[],
  rows: Iterable<Record<string, unknown>>,
) {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = columns.map(c => ({
    header: c.header,
    key: c.key,
    width: c.width,
    style: c.numFmt ? { numFmt: c.numFmt } : {},
  }));
  ws.autoFilter = {
    from: { row: 1, column: 1 },
    to: { row: 1, column: columns.length },
  };
  const header = ws.getRow(1);
  header.font = { bold: true };
  header.commit();
  for (const row of rows) {
    ws.addRow(columns.map(c => spreadsheetSafe(row[c.key]))).commit();
  }
  ws.commit();
}

export const date = (iso: string | null | undefined) =>
  iso ? new Date(iso) : null;

/** The listed fields of `item` as dates, to spread over a row. */
export function dates<T>(
  item: T,
  ...keys: Array<keyof T & string>
): Record<string, Date | null> {
  return Object.fromEntries(
    keys.map(k => [k, date(item[k] as string | null | undefined)]),
  );
}

export const DATE = 'yyyy-mm-dd hh:mm';
export const PCT = '0.0';
export const RATIO = '0.000%';
export const INT = '#,##0';
