/** The SQL of a PostgreSQL side: canonical text, native hash steps, flags and the row hash chain. */
import { constant, Fragment, join, lit, sql } from '../sql/fragment';
import { Code } from './canonical';
import { NULL_SEED } from './pgHash';
import { Column } from '../sql/introspection';
import { Plan, PG_INT } from './plan';

/** Most decimal digits a column of `type` (and atttypmod `typmod`) holds, if it is bounded. */
export function pgDigits(type: string, typmod?: number): number | undefined {
  if (type === 'int2') return 5;
  if (type === 'int4') return 10;
  if (type === 'numeric' && typmod !== undefined && typmod >= 4) return ((typmod - 4) >> 16) & 0xffff;
  return undefined;
}

/**
 * PostgreSQL canonical text of a column of `type` in form `code` (see the module comment).
 * `typmod` (the column's atttypmod) spares the rounding through float8 / float4 of values that
 * have no more digits than the rounding keeps (numeric(12,2) at 15 digits: the value itself, as
 * float8_numeric would print it back; ~4x cheaper on 1M rows).
 */
export function pgCanonical(col: Fragment, type: string, code: Code, typmod?: number): Fragment {
  const numeric = PG_INT.has(type) || type === 'numeric' || type === 'float4' || type === 'float8';
  const digits = pgDigits(type, typmod);
  switch (code) {
    case 'n':
      if (PG_INT.has(type)) return sql`${col}::text`;
      return numeric ? sql`trim_scale(${col}::numeric)::text` : sql`${col}::text`;
    case 'f15':
      if (type === 'float8') return sql`trim_scale(${col}::numeric)::text`;
      if (digits !== undefined && digits <= 15) return PG_INT.has(type) ? sql`${col}::text` : sql`trim_scale(${col})::text`;
      return numeric ? sql`trim_scale(${col}::float8::numeric)::text` : sql`${col}::text`;
    case 'f6':
      if (type === 'float4') return sql`trim_scale(${col}::numeric)::text`;
      if (digits !== undefined && digits <= 6) return PG_INT.has(type) ? sql`${col}::text` : sql`trim_scale(${col})::text`;
      return numeric ? sql`trim_scale(${col}::float4::numeric)::text` : sql`${col}::text`;
    case 'ts':
      if (type === 'timestamptz') return sql`(${col} AT TIME ZONE 'UTC')::text`;
      if (type === 'date') return sql`${col}::timestamp::text`;
      return sql`${col}::text`;
    case 'u':
      return type === 'uuid' ? sql`${col}::text` : sql`lower(${col}::text)`;
    case 'x':
      if (type === 'bytea') return sql`encode(${col}, 'hex')`;
      return sql`encode(convert_to(${col}::text, 'UTF8'), 'hex')`;
    default:
      return sql`${col}::text`;
  }
}

/**
 * One native hashing step of PostgreSQL: H(value, seed) for a column of `type` in `family`. A NULL
 * is hashed as a constant of the type; the row's flags (see pgFlags) tell them apart.
 */
export function pgNativeStep(
  col: Fragment,
  type: string,
  family: string,
  seed: Fragment,
  nullable: boolean,
  wide: boolean,
): Fragment {
  const value = (fallback: string) => (nullable ? sql`coalesce(${col}, ${constant(fallback)})` : col);
  switch (family) {
    case 'int': {
      // hashint8extended folds a value to 32 bits (low XOR high half) before hashing, so -1 and
      // 4294967295 would hash alike: when either side is int8, the high half goes into the seed
      // (the pair high half + folded value determines the value). Same on both sides: an int4's
      // high half is its sign extension.
      const widened = wide ? sql`(${seed} # (${value('0')}::int8 >> 32))` : seed;
      if (type === 'int2') return sql`hashint2extended(${value('0::int2')}, ${widened})`;
      if (type === 'int4') return sql`hashint4extended(${value('0')}, ${widened})`;
      return sql`hashint8extended(${value('0::int8')}, ${widened})`;
    }
    case 'numeric':
      // Ignores the sign and gives the seed for NaN and infinities: the flags carry those.
      return sql`hash_numeric_extended(${value('0::numeric')}, ${seed})`;
    case 'float4':
      return sql`hashfloat4extended(${value('0::float4')}, ${seed})`;
    case 'float8':
      return sql`hashfloat8extended(${value('0::float8')}, ${seed})`;
    case 'text':
      return sql`hashtextextended(${value("''")} COLLATE "C", ${seed})`;
    case 'bpchar':
      return sql`hashbpcharextended(${value("''::bpchar")} COLLATE "C", ${seed})`;
    case 'date':
      return sql`timestamp_hash_extended(${value("'epoch'::date")}::timestamp, ${seed})`;
    case 'ts':
      if (type === 'timestamptz') {
        // The UTC wall-clock time, without a time zone lookup (a plain shift by zero).
        return sql`timestamp_hash_extended(${value("'epoch'::timestamptz")} AT TIME ZONE INTERVAL '00:00', ${seed})`;
      }
      return sql`timestamp_hash_extended(${value("'epoch'::timestamp")}, ${seed})`;
    case 'uuid':
      return sql`uuid_hash_extended(${value("'00000000-0000-0000-0000-000000000000'::uuid")}, ${seed})`;
    case 'jsonb':
      return sql`jsonb_hash_extended(${value("'null'::jsonb")}, ${seed})`;
    case 'interval':
      return sql`interval_hash_extended(${value("'0'::interval")}, ${seed})`;
    case 'time':
      return sql`time_hash_extended(${value("'00:00'::time")}, ${seed})`;
    default:
      throw new Error(`No native hash for family ${family}`);
  }
}

/** A well-mixed positive 63-bit constant for flag pattern `index` of flag group `group`. */
export function flagConstant(group: number, index: number): bigint {
  // splitmix64
  let z = BigInt.asUintN(64, BigInt(group * 4096 + index + 1) * 0x9e3779b97f4a7c15n);
  z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
  z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
  return BigInt.asUintN(63, z ^ (z >> 31n));
}

/** States of one column that its hash does not see, as a CASE choosing among `count` leaves. */
export interface FlagColumn {
  count: number;
  tree: (leaf: (state: number) => Fragment) => Fragment;
}

export function flagColumn(col: Fragment, family: string | undefined, infinities: boolean): FlagColumn {
  if (family === 'bool') {
    return {
      count: 3,
      tree: leaf => sql`CASE WHEN ${col} IS NULL THEN ${leaf(0)} WHEN ${col} THEN ${leaf(1)} ELSE ${leaf(2)} END`,
    };
  }
  if (family === 'numeric' && !infinities) {
    // numeric(p,s) cannot hold infinities; its NaN hashes as the bare seed, unlike any number.
    return {
      count: 3,
      tree: leaf => sql`CASE WHEN ${col} IS NULL THEN ${leaf(0)} WHEN ${col} < 0 THEN ${leaf(1)} ELSE ${leaf(2)} END`,
    };
  }
  if (family === 'numeric') {
    return {
      count: 5,
      tree: leaf => sql`CASE WHEN ${col} IS NULL THEN ${leaf(0)} WHEN ${col} < 0 THEN ${leaf(1)}
        WHEN ${col} >= 'Infinity'::numeric THEN CASE WHEN ${col} = 'Infinity'::numeric THEN ${leaf(2)} ELSE ${leaf(3)} END
        ELSE ${leaf(4)} END`,
    };
  }
  return { count: 2, tree: leaf => sql`CASE WHEN ${col} IS NULL THEN ${leaf(0)} ELSE ${leaf(1)} END` };
}

/**
 * The flags of a row for the native scheme: for groups of columns (at most 64 combinations each),
 * one constant per combination of their NULLs, boolean values and numeric sign/NaN/infinity (for
 * numeric(p,s) on both sides, which cannot hold infinities, only the sign),
 * chosen by nested CASEs (no function calls but numeric comparisons) and XOR-ed into one seed.
 */
export function pgFlags(columns: FlagColumn[]): Fragment[] {
  const groups: FlagColumn[][] = [];
  let size = Infinity;
  for (const column of columns) {
    if (size * column.count > 64) {
      groups.push([]);
      size = 1;
    }
    groups[groups.length - 1].push(column);
    size *= column.count;
  }
  return groups.map((group, g) => {
    const build = (j: number, prefix: number): Fragment =>
      j === group.length ? lit(flagConstant(g, prefix)) : group[j].tree(state => build(j + 1, prefix * group[j].count + state));
    return build(0, 0);
  });
}

/**
 * The native row hash of PostgreSQL: each column (booleans excepted) hashed by its type's hash
 * function, seeded with the previous column's hash; the flags XOR-ed into one seed that is itself a
 * hash (or the constant start); a leading integer key that is NOT NULL on both sides is the first
 * seed itself.
 */
export function pgNativeChain(plan: Plan, columns: Column[], colRefs: Fragment[]): Fragment {
  const start = plan.foldFirst ? 1 : 0;
  const flags: FlagColumn[] = [];
  const steps: Array<(seed: Fragment) => Fragment> = [];
  for (let i = start; i < plan.pairs.length; i++) {
    const pair = plan.pairs[i];
    const col = colRefs[i];
    const nullable = !columns[i].notNull;
    if (pair.family === 'bool' || pair.family === 'numeric' || !pair.src.notNull || !pair.dst.notNull) {
      const infinities = (pair.src.typmod ?? -1) < 0 || (pair.dst.typmod ?? -1) < 0;
      flags.push(flagColumn(col, pair.family, infinities));
    }
    if (pair.family === 'bool') continue;
    const family = pair.family;
    steps.push(seed =>
      family
        ? pgNativeStep(col, columns[i].type, family, seed, nullable, pair.src.type === 'int8' || pair.dst.type === 'int8')
        : sql`hashtextextended(coalesce(${pgCanonical(col, columns[i].type, pair.code, columns[i].typmod)}, '') COLLATE "C", ${seed})`,
    );
  }
  const flagAt = plan.foldFirst ? 1 : 0;
  while (steps.length <= flagAt) steps.push(seed => sql`hashtextextended('', ${seed})`);
  let chain = sql`0::int8`;
  if (plan.foldFirst) chain = columns[0].type === 'int8' ? colRefs[0] : sql`${colRefs[0]}::int8`;
  const flagTerms = pgFlags(flags);
  steps.forEach((step, i) => {
    const seed = i === flagAt && flagTerms.length ? sql`(${join([chain, ...flagTerms], ' # ')})` : chain;
    chain = step(seed);
  });
  return chain;
}

/** Canonical-text hashing step of PostgreSQL. */
export function pgTextStep(col: Fragment, column: Column, code: Code, seed: Fragment): Fragment {
  const nullable = !column.notNull;
  const text = pgCanonical(col, column.type, code, column.typmod);
  if (!nullable) return sql`hashtextextended((${text}) COLLATE "C", ${seed})`;
  return sql`hashtextextended(coalesce(${text}, '') COLLATE "C", (${seed} # CASE WHEN ${col} IS NULL THEN ${lit(NULL_SEED)} ELSE 0::int8 END))`;
}
