const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Parses a compact duration (`90s`, `15m`, `24h`, `7d`, `2w`) into milliseconds.
 * Returns undefined for anything else.
 * @public
 */
export function parseDuration(text: string): number | undefined {
  const match = /^([1-9][0-9]*)(s|m|h|d|w)$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2]];
}

/**
 * The bucket used for a trend range when the caller names none: about 100 points, on a round size.
 * @public
 */
export function defaultBucketFor(rangeMs: number): string {
  const candidates = ['1m', '5m', '15m', '1h', '3h', '6h', '1d', '1w'];
  for (const c of candidates) {
    if (rangeMs / parseDuration(c)! <= 200) return c;
  }
  return '1w';
}
