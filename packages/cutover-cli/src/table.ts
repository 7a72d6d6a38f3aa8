/**
 * Lines of a table with a header: columns separated by two spaces, the first left-aligned, the
 * columns in `right` right-aligned, the last column never padded.
 */
export function formatTable(
  header: string[],
  rows: string[][],
  right: ReadonlySet<number> = new Set(),
): string[] {
  const last = header.length - 1;
  const widths = header.map((h, i) =>
    i === last ? 0 : Math.max(h.length, ...rows.map(r => r[i].length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) =>
        right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]),
      )
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
