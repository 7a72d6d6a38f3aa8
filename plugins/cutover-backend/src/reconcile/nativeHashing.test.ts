/**
 * The native SQLite hashing extension (native/cutover_recon.c) against the JavaScript functions it
 * stands in for: every row hash it gives must be the JavaScript one, value by value and code by
 * code, and the rows it leaves to JavaScript (NULL) must be few for the usual values.
 *
 * This is about SQLite itself (the extension runs inside it); the same hashes compared with
 * PostgreSQL's are tested in KnexReconciler.test.ts, across engines.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { canonicalRowHash, Code } from './canonical';
import { prepareSqliteReconciliation, sqliteHashingExtension } from './sqliteFunctions';

const CODES: Code[] = ['n', 'f15', 'f6', 'b', 'd', 'ts', 't', 'u', 'x', 'a'];
const skip = process.env.SWITCHYARD_NATIVE_SQLITE === '0';

(skip ? describe.skip : describe)('native SQLite hashing', () => {
  let db: Database.Database;

  beforeAll(() => {
    db = new Database(':memory:');
    db.defaultSafeIntegers(true);
  });

  afterAll(() => db.close());

  it('is built at install time and loads', () => {
    // native/build.mjs runs at `yarn install`; without it every SQLite reconciliation is ~10x slower.
    expect(sqliteHashingExtension()).toMatch(/native\/build\/cutover_recon\.so$/);
    expect(prepareSqliteReconciliation(db)).toBe('native');
    expect(prepareSqliteReconciliation(db)).toBe('native'); // once per connection
    expect(prepareSqliteReconciliation(new Database(':memory:'), { native: false })).toBe('javascript');
  });

  /** The native hash of one row (null when it leaves the row to JavaScript) and the JavaScript one. */
  function both(codes: Code[], values: unknown[]): { native: bigint | null; js: bigint; chosen: string } {
    const spec = codes.join(',');
    const marks = values.map(() => '?').join(', ');
    const row = db
      .prepare(
        `SELECT cutover_recon_hash_n(?, ${marks}) AS native,
                CAST(coalesce(cutover_recon_hash_n(?, ${marks}), cutover_recon_hash(?, ${marks})) AS TEXT) AS chosen`,
      )
      .get(spec, ...values, spec, ...values, spec, ...values) as { native: bigint | null; chosen: string };
    // The values as SQLite hands them to the JavaScript function (REAL for numbers, and so on).
    const readBack = db.prepare(`SELECT ${marks}`).raw(true).get(...values) as unknown[];
    return { native: row.native, js: canonicalRowHash(codes, readBack), chosen: row.chosen };
  }

  function check(codes: Code[], values: unknown[]): boolean {
    const { native, js, chosen } = both(codes, values);
    if (native !== null && native !== js) {
      throw new Error(`native ${native} != JavaScript ${js} for ${JSON.stringify(codes)} ${String(values)}`);
    }
    expect(chosen).toBe(js.toString());
    return native !== null;
  }

  // Values as SQLite holds them: INTEGER (BigInt), REAL (number), TEXT, BLOB, NULL.
  const integer = fc.oneof(
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    fc.bigInt({ min: -100_000n, max: 100_000n }),
    fc.bigInt({ min: -200_000_000_000n, max: 200_000_000_000n }), // epoch seconds and milliseconds
    fc.constantFrom(0n, 1n, -1n, 99_999_999_999n, 100_000_000_000n, -100_000_000_000n, 1_704_067_200_000n),
  );
  const tie = (scale: number) => fc.integer({ min: 1, max: 2 ** 30 }).map(k => (k + 0.5) * 2 ** scale);
  const real = fc.oneof(
    fc.double({ noNaN: true }),
    fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    fc.integer({ min: -1e9, max: 1e9 }).map(c => c / 100), // amounts
    fc.integer({ min: 1e11, max: 2e12 }).map(ms => ms + 0.5), // epoch milliseconds with a fraction
    fc.constantFrom(0.5, 2.5, -2.5, 562949953421312.5, 123456.5, 1e21, 1.5e-7, 5e-324, Number.MAX_VALUE, -0, Infinity, -Infinity),
    tie(20), // ties at 15 significant digits and at 6 after fround
    tie(0),
    fc.float({ noNaN: true }).map(Number),
  );
  const space = fc.constantFrom('', ' ', '\t', '  ', '\n', '\u00a0', '\u2003');
  const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9]{${min},${max}}$`));
  const decimalText = fc
    .tuple(fc.constantFrom('', '+', '-'), digits(0, 20), fc.option(digits(0, 20)), fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), digits(1, 5))), space, space)
    .map(([sign, int, frac, exp, before, after]) => `${before}${sign}${int}${frac === null ? '' : `.${frac}`}${exp ? exp.join('') : ''}${after}`);
  const isoText = fc
    .tuple(
      digits(4, 6),
      digits(1, 2),
      digits(1, 2),
      fc.option(fc.tuple(fc.constantFrom('T', 't', ' ', '  ', '\t', 'x'), digits(1, 2), digits(2, 2), fc.option(fc.tuple(digits(1, 3), fc.option(fc.tuple(fc.constantFrom('.', ','), digits(0, 9))))))),
      fc.constantFrom('', 'Z', 'z', 'UTC', ' UTC', '+05:30', '-0800', '+01', '+5', '-05:3', 'utc', '+14:00'),
      space,
      space,
    )
    .map(([y, mo, d, time, zone, before, after]) => {
      let text = `${before}${y}-${mo}-${d}`;
      if (time) {
        const [sep, h, mi, sec] = time;
        text += `${sep}${h}:${mi}`;
        if (sec) text += `:${sec[0]}${sec[1] ? `${sec[1][0]}${sec[1][1]}` : ''}`;
      }
      return `${text}${zone}${after}`;
    });
  const validIso = fc
    .tuple(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), fc.integer({ min: 0, max: 86_399_999 }))
    .map(([y, mo, d, ms]) => new Date(Date.UTC(2000, 0, 1) + ms).toISOString().replace(/^\d{4}-\d{2}-\d{2}/, `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`));
  const uuidText = fc
    .tuple(fc.uuid(), fc.boolean(), fc.boolean(), space)
    .map(([u, upper, braces, pad]) => `${pad}${braces ? '{' : ''}${upper ? u.toUpperCase() : u}${braces ? '}' : ''}${pad}`);
  const text = fc.oneof(
    fc.string(),
    fc.string({ unit: 'grapheme' }),
    decimalText,
    isoText,
    validIso,
    uuidText,
    fc.constantFrom('true', ' YES ', 'on', 'Off', '0', 'f', 'maybe', 'NaN', 'inf', '-Infinity', '+inf', 'infinity', ' -infinity ', '', '\u00a012', '1_000'),
  );
  const blob = fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ minLength: 16, maxLength: 16 })).map(b => Buffer.from(b));
  const value = fc.oneof(integer, real, text, blob, fc.constant(null));

  it('gives the JavaScript row hash for every value it hashes, under every code', () => {
    let native = 0;
    let all = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...CODES), value), { minLength: 1, maxLength: 6 }), pairs => {
        all += 1;
        if (check(pairs.map(p => p[0]), pairs.map(p => p[1]))) native += 1;
      }),
      { numRuns: 4000 },
    );
    // Mixed rows include values left to JavaScript (non-ASCII spaces, REALs as exact numbers).
    expect(native / all).toBeGreaterThan(0.3);
  });

  it('hashes the usual values itself', () => {
    const usual: Array<[Code, fc.Arbitrary<unknown>]> = [
      ['n', integer],
      ['f15', real],
      ['f6', real],
      ['f15', fc.integer({ min: -1e9, max: 1e9 }).map(c => (c / 100).toFixed(2))],
      ['ts', validIso],
      ['ts', fc.bigInt({ min: -(2n ** 53n), max: 2n ** 53n })],
      ['ts', fc.integer({ min: -1e14, max: 1e14 }).map(ms => ms / 7)],
      ['d', validIso.map(t => t.slice(0, 10))],
      ['t', fc.string({ unit: 'grapheme' })],
      ['b', fc.constantFrom(0n, 1n, 'true', 'f', 0.5)],
      ['u', uuidText.filter(u => !/\s/.test(u) || !/[\u00a0\u2003]/.test(u))],
      ['x', blob],
      ['a', fc.oneof(integer, real, fc.string())],
    ];
    for (const [code, arbitrary] of usual) {
      fc.assert(
        fc.property(arbitrary, v => {
          expect(check([code], [v])).toBe(true);
        }),
        { numRuns: 300 },
      );
    }
  });

  it('leaves invalid UTF-8 and non-ASCII spaces to JavaScript', () => {
    const native = (code: Code, expression: string) =>
      (db.prepare(`SELECT cutover_recon_hash_n('${code}', ${expression}) AS h`).get() as { h: bigint | null }).h;
    expect(native('t', `CAST(x'ff41' AS TEXT)`)).toBeNull();
    expect(native('t', `CAST(x'eda080' AS TEXT)`)).toBeNull(); // a surrogate
    expect(native('t', `CAST(x'c0af' AS TEXT)`)).toBeNull(); // overlong
    expect(native('t', `CAST(x'e282ac' AS TEXT)`)).not.toBeNull(); // the euro sign
    expect(check(['f15'], ['\u00a012'])).toBe(false);
    expect(check(['ts'], ['\u20032024-01-01'])).toBe(false);
    expect(check(['n'], [0.1])).toBe(false); // a REAL where an exact number is expected
  });

  it('sums row hashes exactly, from native and JavaScript rows alike', () => {
    db.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, a, b, c)');
    const insert = db.prepare('INSERT INTO rows (a, b, c) VALUES (?, ?, ?)');
    fc.assert(
      fc.property(fc.array(fc.tuple(value, value, value), { maxLength: 200 }), rows => {
        db.exec('DELETE FROM rows');
        for (const row of rows) insert.run(...row);
        const spec = 'ts,f15,t';
        const got = db
          .prepare(
            `SELECT cutover_recon_isum(coalesce(cutover_recon_hash_n(?, a, b, c), cutover_recon_hash(?, a, b, c))) AS native,
                    cutover_recon_sum(?, a, b, c) AS js FROM rows`,
          )
          .get(spec, spec, spec) as { native: string; js: string };
        expect(got.native).toBe(got.js);
      }),
      { numRuns: 100 },
    );
    const empty = db.prepare(`SELECT cutover_recon_isum(id) AS s FROM rows WHERE 0`).get() as { s: string };
    expect(empty.s).toBe('0');
    expect(() => db.prepare(`SELECT cutover_recon_hash_n('nope', 1)`).get()).toThrow(/bad row hash spec/);
    expect(() => db.prepare(`SELECT cutover_recon_hash_n('n,n', 1)`).get()).toThrow(/does not match/);
    expect(() => db.prepare(`SELECT cutover_recon_isum('x')`).get()).toThrow(/must be an integer/);
  });
});
