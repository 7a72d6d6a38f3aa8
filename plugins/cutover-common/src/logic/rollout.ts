import type { ReadSource, ReadSources } from '../types';

/** A gradual rollout of one dataset: `source` for `percent`% of targeting keys. @public */
export type ReadSourceRollout = NonNullable<ReadSources['rollouts']>[string];

// MurmurHash3 (x86, 32-bit) over the UTF-8 bytes of the input, fed byte by byte so that no string
// or buffer is built per evaluation: applications call this on every read. A standard hash over
// UTF-8 lets clients in other languages compute the same buckets.
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
let h = 0;
let block = 0;
let blockBytes = 0;
let length = 0;

function addByte(byte: number) {
  block |= byte << (blockBytes * 8);
  length++;
  if (++blockBytes === 4) {
    let k = Math.imul(block, C1);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, C2);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
    block = 0;
    blockBytes = 0;
  }
}

function addString(s: string) {
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      addByte(c);
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
      addByte(0xc0 | (c >> 6));
    } else if (c < 0x10000) {
      addByte(0xe0 | (c >> 12));
      addByte(0x80 | ((c >> 6) & 0x3f));
    } else {
      addByte(0xf0 | (c >> 18));
      addByte(0x80 | ((c >> 12) & 0x3f));
      addByte(0x80 | ((c >> 6) & 0x3f));
    }
    addByte(0x80 | (c & 0x3f));
  }
}

function finish(): number {
  if (blockBytes > 0) {
    let k = Math.imul(block, C1);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, C2);
  }
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function start(seed: number) {
  h = seed | 0;
  block = 0;
  blockBytes = 0;
  length = 0;
}

/**
 * MurmurHash3 (x86, 32-bit) of the UTF-8 bytes of `input`, as an unsigned integer.
 * @public
 */
export function murmur3(input: string, seed = 0): number {
  start(seed);
  addString(input);
  return finish();
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
  start(0);
  addString(migrationId);
  addByte(0);
  addString(dataset);
  addByte(0);
  addString(targetingKey);
  return (finish() % 10000) / 100;
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
