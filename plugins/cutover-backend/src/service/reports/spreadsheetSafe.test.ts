import {
  escapeFormulaText,
  isFormulaLike,
  spreadsheetSafe,
} from './spreadsheetSafe';

describe('spreadsheetSafe', () => {
  it.each([
    ['=HYPERLINK("http://x","y")', `'=HYPERLINK("http://x","y")`],
    ['+1+1', `'+1+1`],
    ['-2+3', `'-2+3`],
    ['@SUM(A1)', `'@SUM(A1)`],
    ['\t=1+1', `'\t=1+1`],
    ['\r=1+1', `'\r=1+1`],
    ['=', `'=`],
    ['-', `'-`],
    ['--help', `'--help`],
    ['+49 30 1234', `'+49 30 1234`],
  ])('escapes %j, which a spreadsheet reads as a formula', (text, escaped) => {
    expect(isFormulaLike(text)).toBe(true);
    expect(escapeFormulaText(text)).toBe(escaped);
    expect(spreadsheetSafe(text)).toBe(escaped);
  });

  it.each([
    'orders',
    '',
    ' =1+1',
    "'=1+1",
    'a=b',
    'user:default/ana',
    '{"title":"=1+1"}',
    '-12.5',
    '+3',
    '-1e-3',
    '.5',
  ])('leaves %j as it is', text => {
    expect(isFormulaLike(text)).toBe(false);
    expect(escapeFormulaText(text)).toBe(text);
  });

  it('keeps numbers, dates, booleans and empty cells as they are', () => {
    const when = new Date('2025-03-14T09:30:00Z');
    expect(spreadsheetSafe(-2)).toBe(-2);
    expect(spreadsheetSafe(-0.5)).toBe(-0.5);
    expect(spreadsheetSafe(when)).toBe(when);
    expect(spreadsheetSafe(false)).toBe(false);
    expect(spreadsheetSafe(null)).toBeNull();
    expect(spreadsheetSafe(undefined)).toBeUndefined();
  });
});
