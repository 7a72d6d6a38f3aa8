import type { ReadSources } from '../types';
import {
  changedReadSources,
  murmur3,
  resolveReadSource,
  rolloutBucket,
} from './rollout';

/** MurmurHash3 x86_32 written plainly over a byte array, to check the streaming one against. */
function referenceMurmur3(bytes: Uint8Array, seed = 0): number {
  let h = seed | 0;
  const blocks = bytes.length - (bytes.length % 4);
  const mixK = (block: number) => {
    const k = Math.imul(block, 0xcc9e2d51);
    return Math.imul((k << 15) | (k >>> 17), 0x1b873593);
  };
  for (let i = 0; i < blocks; i += 4) {
    h ^= mixK(
      bytes[i] |
        (bytes[i + 1] << 8) |
        (bytes[i + 2] << 16) |
        (bytes[i + 3] << 24),
    );
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let tail = 0;
  for (let i = bytes.length - 1; i >= blocks; i--)
    tail = (tail << 8) | bytes[i];
  if (bytes.length > blocks) h ^= mixK(tail);
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A small deterministic generator, so that "random" inputs are the same in every run. */
function lcg(seed: number) {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const answer = (over: Partial<ReadSources> = {}): ReadSources => ({
  migrationId: 'orders-v2',
  datasets: { orders: 'DUAL', customers: 'LEGACY', 'order.items': 'NEW' },
  updatedAt: '2026-12-01T00:00:00.000Z',
  ...over,
});

describe('murmur3', () => {
  it.each([
    ['', 0, 0x00000000],
    ['', 1, 0x514e28b7],
    ['', 0xffffffff, 0x81f16f39],
    ['test', 0, 0xba6bd213],
    ['hello', 0, 0x248bfa47],
    ['Hello, world!', 0x9747b28c, 0x24884cba],
    ['The quick brown fox jumps over the lazy dog', 0x9747b28c, 0x2fa826cd],
    ['The quick brown fox jumps over the lazy dog', 0, 0x2e4ff723],
  ])(
    'hashes %j with seed %d to the published value',
    (input, seed, expected) => {
      expect(murmur3(input, seed)).toBe(expected);
    },
  );

  it('hashes the UTF-8 bytes of any string, as TextEncoder encodes them', () => {
    const encoder = new TextEncoder();
    const tricky = [
      'ä',
      '€',
      '😀',
      'a😀b',
      'Zürich-€-日本',
      '\ud800',
      'x\udc00y',
      '\ud83d',
      '\u0000\u007f\u0080\u07ff\u0800\uffff',
    ];
    const random = lcg(7);
    const generated = Array.from({ length: 2000 }, () =>
      String.fromCharCode(
        ...Array.from({ length: Math.floor(random() * 12) }, () =>
          Math.floor(random() * 0x10000),
        ),
      ),
    );
    for (const s of [...tricky, ...generated]) {
      expect([s, murmur3(s)]).toEqual([s, referenceMurmur3(encoder.encode(s))]);
    }
  });
});

describe('rolloutBucket', () => {
  it.each([
    ['orders-v2', 'orders', 'user-1', 22.45],
    ['orders-v2', 'orders', 'user-2', 86.61],
    ['orders-v2', 'customers', 'user-1', 70.79],
    ['billing-ledger', 'orders', 'user-1', 97.2],
    ['orders-v2', 'order.items', 'tenant:acme', 24.43],
    ['orders-v2', 'orders', 'Jürgen', 91.51],
  ])(
    'puts %s / %s / %s in bucket %d, in every run and on every platform',
    (migrationId, dataset, key, bucket) => {
      expect(rolloutBucket(migrationId, dataset, key)).toBe(bucket);
    },
  );

  it('is the murmur3 of the three parts joined by NUL, mod 10000, in hundredths', () => {
    const joined = murmur3('orders-v2\u0000orders\u0000user-1');
    expect(rolloutBucket('orders-v2', 'orders', 'user-1')).toBe(
      (joined % 10000) / 100,
    );
    // Every length of migration and dataset (the prefix is hashed once and reused), any key.
    for (const migrationId of ['m', 'mm', 'mmm', 'mmmm', 'orders-v2']) {
      for (const dataset of ['d', 'dä', '😀', 'order.items']) {
        for (const key of ['', 'k', 'kéy', 'user-12345', '日本語キー']) {
          const expected =
            (murmur3(`${migrationId}\u0000${dataset}\u0000${key}`) % 10000) /
            100;
          expect([
            migrationId,
            dataset,
            key,
            rolloutBucket(migrationId, dataset, key),
          ]).toEqual([migrationId, dataset, key, expected]);
          expect(rolloutBucket(migrationId, dataset, key)).toBe(expected);
        }
      }
    }
    // The separator keeps ("a", "bc") and ("ab", "c") apart.
    expect(rolloutBucket('m', 'a', 'bc')).not.toBe(
      rolloutBucket('m', 'ab', 'c'),
    );
  });

  it('spreads 100,000 keys evenly: each tenth of the range within 3% of its share, each percent within 10%', () => {
    const tenths = new Array(10).fill(0);
    const percents = new Array(100).fill(0);
    const outOfRange: number[] = [];
    for (let i = 0; i < 100_000; i++) {
      const bucket = rolloutBucket('orders-v2', 'orders', `user-${i}`);
      const hundredths = Math.round(bucket * 100);
      if (bucket < 0 || bucket >= 100 || hundredths / 100 !== bucket)
        outOfRange.push(bucket);
      tenths[Math.floor(bucket / 10)]++;
      percents[Math.floor(bucket)]++;
    }
    expect(outOfRange).toEqual([]);
    for (const n of tenths) expect(Math.abs(n - 10_000)).toBeLessThan(300);
    for (const n of percents) expect(Math.abs(n - 1_000)).toBeLessThan(100);
  });

  it('selects close to the rollout percentage of keys, and a higher percentage only adds keys', () => {
    const keys = Array.from(
      { length: 100_000 },
      (_, i) => `customer-${i * 7919}`,
    );
    let previous = new Set<string>();
    for (const percent of [1, 5, 20, 50, 80, 99]) {
      const selected = new Set(
        keys.filter(k => rolloutBucket('orders-v2', 'orders', k) < percent),
      );
      expect(Math.abs(selected.size - percent * 1000)).toBeLessThan(600);
      expect([...previous].filter(k => !selected.has(k))).toEqual([]);
      previous = selected;
    }
  });
});

describe('resolveReadSource', () => {
  const rolled = answer({
    rollouts: { orders: { source: 'NEW', percent: 20 } },
  });
  const bucketOf = (key: string) => rolloutBucket('orders-v2', 'orders', key);
  const inside = Array.from({ length: 200 }, (_, i) => `user-${i}`).find(
    k => bucketOf(k) < 20,
  )!;
  const outside = Array.from({ length: 200 }, (_, i) => `user-${i}`).find(
    k => bucketOf(k) >= 20,
  )!;

  it.each([
    [
      'a dataset without rollout, for anyone',
      answer(),
      'orders',
      'user-1',
      { source: 'DUAL', decision: 'SWITCH', baseline: 'DUAL' },
    ],
    [
      'a dataset without rollout, without key',
      answer(),
      'customers',
      undefined,
      { source: 'LEGACY', decision: 'SWITCH', baseline: 'LEGACY' },
    ],
    [
      'a dataset whose name has dots',
      answer(),
      'order.items',
      undefined,
      { source: 'NEW', decision: 'SWITCH', baseline: 'NEW' },
    ],
    [
      'a key inside the rollout',
      rolled,
      'orders',
      inside,
      {
        source: 'NEW',
        decision: 'ROLLOUT',
        baseline: 'DUAL',
        bucket: bucketOf(inside),
      },
    ],
    [
      'a key outside the rollout',
      rolled,
      'orders',
      outside,
      {
        source: 'DUAL',
        decision: 'OUTSIDE_ROLLOUT',
        baseline: 'DUAL',
        bucket: bucketOf(outside),
      },
    ],
    [
      'no key while a rollout runs',
      rolled,
      'orders',
      undefined,
      { source: 'DUAL', decision: 'NO_TARGETING_KEY', baseline: 'DUAL' },
    ],
    [
      'an empty key while a rollout runs',
      rolled,
      'orders',
      '',
      { source: 'DUAL', decision: 'NO_TARGETING_KEY', baseline: 'DUAL' },
    ],
    [
      'another dataset of a migration with a rollout',
      rolled,
      'customers',
      inside,
      { source: 'LEGACY', decision: 'SWITCH', baseline: 'LEGACY' },
    ],
  ] as const)('answers %s', (_, a, dataset, key, expected) => {
    expect(resolveReadSource(a, dataset, key)).toEqual({
      ...expected,
      ...(a.rollouts?.[dataset] ? { rollout: a.rollouts[dataset] } : {}),
    });
  });

  it('knows no dataset that is not in the answer, including names of Object.prototype', () => {
    for (const name of [
      'payments',
      'constructor',
      'toString',
      '__proto__',
      'hasOwnProperty',
    ]) {
      expect(resolveReadSource(rolled, name, 'user-1')).toBeUndefined();
    }
  });

  it('gives a key the same answer every time, and everyone the rollout source at 100%', () => {
    const keys = Array.from({ length: 1000 }, (_, i) => `k${i}`);
    const first = keys.map(k => resolveReadSource(rolled, 'orders', k)!.source);
    expect(
      keys.map(k => resolveReadSource(rolled, 'orders', k)!.source),
    ).toEqual(first);
    const everyone = answer({
      rollouts: { orders: { source: 'NEW', percent: 100 } },
    });
    expect(
      new Set(keys.map(k => resolveReadSource(everyone, 'orders', k)!.source)),
    ).toEqual(new Set(['NEW']));
  });
});

describe('changedReadSources', () => {
  it.each([
    ['nothing', answer(), answer(), []],
    [
      'a switch',
      answer(),
      answer({ datasets: { ...answer().datasets, orders: 'NEW' } }),
      ['orders'],
    ],
    [
      'a rollout started',
      answer(),
      answer({ rollouts: { orders: { source: 'NEW', percent: 5 } } }),
      ['orders'],
    ],
    [
      'a rollout raised',
      answer({ rollouts: { orders: { source: 'NEW', percent: 5 } } }),
      answer({ rollouts: { orders: { source: 'NEW', percent: 50 } } }),
      ['orders'],
    ],
    [
      'a rollout ended',
      answer({ rollouts: { orders: { source: 'NEW', percent: 5 } } }),
      answer(),
      ['orders'],
    ],
    [
      'datasets added and removed',
      answer({ datasets: { orders: 'DUAL', a: 'NEW' } }),
      answer({ datasets: { orders: 'DUAL', b: 'LEGACY' } }),
      ['a', 'b'],
    ],
    [
      'only the time of the answer',
      answer(),
      answer({ updatedAt: '2027-01-01T00:00:00.000Z' }),
      [],
    ],
  ] as const)(
    'names the datasets when %s changed',
    (_, previous, current, expected) => {
      expect(changedReadSources(previous, current)).toEqual(expected);
    },
  );
});
