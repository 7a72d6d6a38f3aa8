import type { ReadSource, ReadSources } from '../types';

/** A gradual rollout of one dataset: `source` for `percent`% of targeting keys. @public */
export type ReadSourceRollout = NonNullable<ReadSources['rollouts']>[string];

// MurmurHash3 (x86, 32-bit) over UTF-8 bytes: a standard hash over UTF-8 lets clients in other
// languages compute the same buckets. Applications call it on every read, so the bytes go into one
// reused buffer and the hash runs on local variables only (about 10x faster than TextEncoder plus a
// generic implementation).
let bytes = new Uint8Array(256);

/** Writes `s` as UTF-8 into `bytes` from `at`; returns the end. */
function writeUtf8(s: string, start: number): number {
  let at = start;
  if (bytes.length < at + s.length * 3 + 1) {
    const grown = new Uint8Array(
      Math.max(bytes.length * 2, at + s.length * 3 + 1),
    );
    grown.set(bytes.subarray(0, at));
    bytes = grown;
  }
  const buf = bytes;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      buf[at++] = c;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const low = s.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    // A lone surrogate encodes as U+FFFD, as TextEncoder and other languages' UTF-8 encoders do.
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x800) {
      buf[at++] = 0xc0 | (c >> 6);
    } else if (c < 0x10000) {
      buf[at++] = 0xe0 | (c >> 12);
      buf[at++] = 0x80 | ((c >> 6) & 0x3f);
    } else {
      buf[at++] = 0xf0 | (c >> 18);
      buf[at++] = 0x80 | ((c >> 12) & 0x3f);
      buf[at++] = 0x80 | ((c >> 6) & 0x3f);
    }
    buf[at++] = 0x80 | (c & 0x3f);
  }
  return at;
}

/** The MurmurHash3 x86_32 state `h` carried over the 4-byte blocks of `bytes[from, to)`. */
function hashBlocks(seed: number, from: number, to: number): number {
  const buf = bytes;
  let h = seed;
  for (let i = from; i < to; i += 4) {
    let k =
      buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  return h;
}

/** Mixes the last `tail` (0-3) bytes from `at` into `h` and finalises a hash of `length` bytes. */
function hashFinish(h: number, at: number, tail: number, length: number) {
  const buf = bytes;
  let hash = h;
  if (tail > 0) {
    let k = buf[at];
    if (tail > 1) k |= buf[at + 1] << 8;
    if (tail > 2) k |= buf[at + 2] << 16;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    hash ^= Math.imul(k, 0x1b873593);
  }
  hash ^= length;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/**
 * MurmurHash3 (x86, 32-bit) of the UTF-8 bytes of `input`, as an unsigned integer.
 * @public
 */
export function murmur3(input: string, seed = 0): number {
  const length = writeUtf8(input, 0);
  const blocks = length & ~3;
  return hashFinish(
    hashBlocks(seed | 0, 0, blocks),
    blocks,
    length & 3,
    length,
  );
}

/** The hash state after `migrationId \0 dataset \0`: its whole blocks hashed, its 0-3 last bytes. */
interface BucketPrefix {
  h: number;
  hashed: number;
  tail: number[];
}
const prefixes = new Map<string, Map<string, BucketPrefix>>();
let prefixCount = 0;

function bucketPrefix(migrationId: string, dataset: string): BucketPrefix {
  let byDataset = prefixes.get(migrationId);
  let prefix = byDataset?.get(dataset);
  if (prefix) return prefix;
  if (prefixCount >= 10_000) {
    prefixes.clear();
    prefixCount = 0;
    byDataset = undefined;
  }
  let at = writeUtf8(migrationId, 0);
  bytes[at++] = 0;
  at = writeUtf8(dataset, at);
  bytes[at++] = 0;
  const hashed = at & ~3;
  prefix = {
    h: hashBlocks(0, 0, hashed),
    hashed,
    tail: Array.from(bytes.subarray(hashed, at)),
  };
  if (!byDataset) {
    byDataset = new Map();
    prefixes.set(migrationId, byDataset);
  }
  byDataset.set(dataset, prefix);
  prefixCount++;
  return prefix;
}

/**
 * Where a targeting key falls in a dataset's rollout: a number in [0, 100) with 0.01 resolution,
 * `murmur3(migrationId + "\0" + dataset + "\0" + targetingKey) % 10000 / 100`. A key is in a
 * rollout of `percent`% when its bucket is below `percent`, so the same key always gets the same
 * answer and raising the percentage only adds keys.
 * @public
 */
export function rolloutBucket(
  migrationId: string,
  dataset: string,
  targetingKey: string,
): number {
  // Every read of a dataset hashes the same prefix: it is hashed once, then only the key is.
  const { h, hashed, tail } = bucketPrefix(migrationId, dataset);
  for (let i = 0; i < tail.length; i++) bytes[i] = tail[i];
  const end = writeUtf8(targetingKey, tail.length);
  const blocks = end & ~3;
  const hash = hashFinish(
    hashBlocks(h, 0, blocks),
    blocks,
    end & 3,
    hashed + end,
  );
  return (hash % 10000) / 100;
}

/**
 * How a read source was decided: `SWITCH` (the dataset's switch, no rollout), `ROLLOUT` (the key is
 * in the rollout), `OUTSIDE_ROLLOUT` (the key is not: the switch's source) or `NO_TARGETING_KEY`
 * (a rollout exists but the caller gave no key: the switch's source).
 * @public
 */
export type ReadSourceDecision =
  | 'SWITCH'
  | 'ROLLOUT'
  | 'OUTSIDE_ROLLOUT'
  | 'NO_TARGETING_KEY';

/** Where one caller reads a dataset from, and why. @public */
export interface ResolvedReadSource {
  source: ReadSource;
  decision: ReadSourceDecision;
  /** The dataset's switch: what callers outside a rollout read. */
  baseline: ReadSource;
  rollout?: ReadSourceRollout;
  /** The caller's bucket, when a rollout was decided by its targeting key. */
  bucket?: number;
}

const own = (o: object | undefined, key: string) =>
  o !== undefined && Object.prototype.hasOwnProperty.call(o, key);

/**
 * Where the caller with `targetingKey` reads `dataset` from, by the answer of
 * `GET /migrations/:id/read-sources`; `undefined` when the answer has no such dataset. Without a
 * targeting key (or with an empty one) a caller reads the dataset's switch.
 * @public
 */
export function resolveReadSource(
  answer: ReadSources,
  dataset: string,
  targetingKey?: string,
): ResolvedReadSource | undefined {
  if (!own(answer.datasets, dataset)) return undefined;
  const baseline = answer.datasets[dataset];
  if (!own(answer.rollouts, dataset)) {
    return { source: baseline, decision: 'SWITCH', baseline };
  }
  const rollout = answer.rollouts![dataset];
  if (!targetingKey) {
    return {
      source: baseline,
      decision: 'NO_TARGETING_KEY',
      baseline,
      rollout,
    };
  }
  const bucket = rolloutBucket(answer.migrationId, dataset, targetingKey);
  return bucket < rollout.percent
    ? { source: rollout.source, decision: 'ROLLOUT', baseline, rollout, bucket }
    : {
        source: baseline,
        decision: 'OUTSIDE_ROLLOUT',
        baseline,
        rollout,
        bucket,
      };
}

/**
 * The datasets whose switch or rollout differs between two answers (added and removed ones
 * included), sorted by name.
 * @public
 */
export function changedReadSources(
  previous: ReadSources,
  current: ReadSources,
): string[] {
  const names = new Set([
    ...Object.keys(previous.datasets),
    ...Object.keys(current.datasets),
  ]);
  const describe = (a: ReadSources, name: string) => {
    if (!own(a.datasets, name)) return '';
    const rollout = own(a.rollouts, name) ? a.rollouts![name] : undefined;
    return rollout
      ? `${a.datasets[name]}:${rollout.source}:${rollout.percent}`
      : a.datasets[name];
  };
  return [...names]
    .filter(name => describe(previous, name) !== describe(current, name))
    .sort();
}
