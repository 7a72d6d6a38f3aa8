/**
 * Formula injection guard for everything Switchyard exports to spreadsheets (the audit CSV and
 * every sheet of the detailed workbook), after OWASP's CSV injection guidance: a text cell that
 * starts with `=`, `+`, `-`, `@`, a tab or a carriage return is one a spreadsheet may read as a
 * formula (`=HYPERLINK(...)`, `@SUM(A1)`, `-2+3`), so it gets a leading single quote and reads as
 * text. Only text is touched: numbers, dates and booleans keep their types, and a text cell that
 * is a plain number (`-12.5`, `+3`) is left alone, since spreadsheets read it as that number and
 * nothing else.
 */

const TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r']);
const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Whether a spreadsheet could read this text as a formula. */
export function isFormulaLike(text: string): boolean {
  return (
    text.length > 0 && TRIGGERS.has(text.charAt(0)) && !PLAIN_NUMBER.test(text)
  );
}

/** The text, with a leading single quote when a spreadsheet could read it as a formula. */
export function escapeFormulaText(text: string): string {
  return isFormulaLike(text) ? `'${text}` : text;
}

/**
 * A cell value made safe for a spreadsheet: formula-like text escaped, every other value
 * (numbers, dates, booleans, null) returned as it is.
 */
export function spreadsheetSafe<T>(value: T): T | string {
  return typeof value === 'string' ? escapeFormulaText(value) : value;
}
