import { RowStream } from '../sql/stream';
import {
  compareDecimal,
  compareKeys,
  compareUtf8,
  mergeLeaf,
} from './leafStream';

/** A stream of fixed batches whose `next` resolves only when the test releases it. */
function scripted(batches: Array<Array<[string, number]>>) {
  const calls: number[] = [];
  const releases: Array<() => void> = [];
  let at = 0;
  const stream: RowStream<Record<string, unknown>> = {
    next: () => {
      const batch = batches[at] ?? [];
      calls.push(at);
      at += 1;
      return new Promise(resolve =>
        releases.push(() => resolve(batch.map(([k, h]) => ({ k0: k, h })))),
      );
    },
    close: async () => {},
  };
  return { stream, calls, release: () => releases.shift()?.() };
}

const toRow = (row: Record<string, unknown>) => ({
  key: [row.k0 as string | null],
  hash: String(row.h),
});
const tick = () => new Promise(resolve => setImmediate(resolve));

describe('mergeLeaf', () => {
  it('asks both sides for their first batch at once and for the next batch while merging the current one', async () => {
    const left = scripted([
      [
        ['a', 1],
        ['b', 2],
      ],
      [['c', 3]],
    ]);
    const right = scripted([
      [
        ['a', 1],
        ['b', 9],
      ],
      [['d', 4]],
    ]);
    const keys: Array<[string | null, [number, number]]> = [];
    const held: number[] = [];
    const merged = mergeLeaf(
      [left.stream, right.stream],
      toRow,
      (key, unpaired) => keys.push([key[0], unpaired]),
      h => held.push(h),
    );
    await tick();
    // Neither side waited for the other: both first FETCHes are in flight.
    expect(left.calls).toEqual([0]);
    expect(right.calls).toEqual([0]);
    left.release();
    right.release();
    await tick();
    // The first batches arrived; the second ones were asked for before any row was merged.
    expect(left.calls).toEqual([0, 1]);
    expect(right.calls).toEqual([0, 1]);
    left.release();
    right.release();
    await tick();
    // What was read ahead counts as held: more than one batch (2 rows) per side at some point,
    // never more than two per side.
    expect(Math.max(...held)).toBeGreaterThan(2 + 2);
    expect(Math.max(...held)).toBeLessThanOrEqual(2 * (2 + 2));
    left.release();
    right.release();
    await merged;
    expect(keys).toEqual([
      ['b', [1, 1]],
      ['c', [1, 0]],
      ['d', [0, 1]],
    ]);
  });

  it('reports a failed fetch when the merge needs its rows, not as an unhandled rejection', async () => {
    const failing: RowStream<Record<string, unknown>> = {
      next: () => Promise.reject(new Error('connection lost')),
      close: async () => {},
    };
    const fine = scripted([]);
    const merged = mergeLeaf(
      [failing, fine.stream],
      toRow,
      () => {},
      () => {},
    );
    fine.release();
    await expect(merged).rejects.toThrow('connection lost');
  });
});

describe('key order of streamed leaves', () => {
  it('orders by UTF-8 bytes and puts NULL parts first', () => {
    expect(compareUtf8('a', 'b')).toBeLessThan(0);
    // U+FF5E (3 UTF-8 bytes) sorts before U+1F600 (4 bytes), unlike their UTF-16 code units.
    expect(compareUtf8('\uFF5E', '\u{1F600}')).toBeLessThan(0);
    expect(compareKeys([null, 'z'], ['a', 'a'])).toBeLessThan(0);
    expect(compareKeys(['a', 'b'], ['a', 'b'])).toBe(0);
  });

  it('orders canonical decimal integers (keys, signed 64-bit row hashes) numerically without parsing them', () => {
    const values = [
      '-9223372036854775808',
      '-100',
      '-99',
      '-1',
      '0',
      '7',
      '10',
      '99',
      '100',
      '9223372036854775807',
    ];
    for (const [i, x] of values.entries()) {
      for (const [j, y] of values.entries()) {
        expect(Math.sign(compareDecimal(x, y))).toBe(Math.sign(i - j));
        expect(Math.sign(compareDecimal(x, y))).toBe(
          Math.sign(Number(BigInt(x) - BigInt(y))),
        );
      }
    }
  });
});
