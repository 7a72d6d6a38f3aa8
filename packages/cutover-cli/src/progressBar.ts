/** A text progress bar: `[#########-----------]  45.0%`. */
export function progressBar(percent: number, width = 30): string {
  const clamped = Math.max(0, Math.min(100, percent));
  const filled = Math.round((clamped / 100) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${clamped
    .toFixed(1)
    .padStart(5)}%`;
}

const integer = new Intl.NumberFormat('en-US');

/** 1234567 -> 1,234,567 */
export function count(n: number): string {
  return integer.format(Math.round(n));
}
