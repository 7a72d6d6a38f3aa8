import Database from 'better-sqlite3';

/** Counters and quality tallies of one dataset as the job moves it. */
export interface DatasetTally {
  total: number;
  imported: number;
  failed: number;
  skipped: number;
  /** Rows with every required field present. */
  complete: number;
  /** Rows whose values have valid formats. */
  valid: number;
  /** Rows whose references resolve. */
  consistent: number;
  /** Rows that pass business rules. */
  accurate: number;
  critical: number;
  high: number;
  medium: number;
  low: number;
  /** Bytes of the rows read from the legacy database. */
  bytes: number;
  /** CPU time spent moving this dataset, in microseconds. */
  cpuMicros: number;
  /** The job's resident memory at its highest while moving this dataset. */
  memoryPeak: number;
  /** Rejected or flagged rows by what was wrong with them. */
  errorsByType: Record<string, number>;
}

export function emptyTally(total: number): DatasetTally {
  return {
    total,
    imported: 0,
    failed: 0,
    skipped: 0,
    complete: 0,
    valid: 0,
    consistent: 0,
    accurate: 0,
    critical: 0,
    high: 0,
    medium: 0,
    low: 0,
    bytes: 0,
    cpuMicros: 0,
    memoryPeak: 0,
    errorsByType: {},
  };
}

/**
 * The demo's made-up price list: what moving data costs in the currency of `cutover.cost.currency`
 * (per CPU second of the job and per megabyte moved).
 */
export const DEMO_PRICES = { perCpuSecond: 0.4, perMegabyte: 1.5 };

/** Resources of a tally as a sample carries them (absolute, like the record counts). */
export function resourcesOf(t: DatasetTally) {
  const cpuSeconds = Math.round(t.cpuMicros / 1000) / 1000;
  const cost =
    cpuSeconds * DEMO_PRICES.perCpuSecond +
    (t.bytes / 1_048_576) * DEMO_PRICES.perMegabyte;
  return {
    bytesMoved: t.bytes,
    cpuSeconds,
    memoryPeakBytes: t.memoryPeak,
    cost: Math.round(cost * 10_000) / 10_000,
    ...(Object.keys(t.errorsByType).length
      ? { errorsByType: { ...t.errorsByType } }
      : {}),
  };
}

interface RowCheck {
  complete: boolean;
  valid: boolean;
  consistent: boolean;
  accurate: boolean;
  /** What happens to the row: imported, or rejected (failed) or left out (skipped). */
  outcome: 'imported' | 'failed' | 'skipped';
  severity?: 'critical' | 'high' | 'medium' | 'low';
  /** What was wrong with the row, for errors by type. */
  errorType?: string;
}

/** A row with nothing wrong: imported. */
const clean = (): RowCheck => ({
  complete: true,
  valid: true,
  consistent: true,
  accurate: true,
  outcome: 'imported',
});

/** A row with a problem: the quality dimensions it fails (the others hold), its fate and why. */
function problem(
  fails: Array<'complete' | 'valid' | 'consistent' | 'accurate'>,
  outcome: RowCheck['outcome'],
  severity: NonNullable<RowCheck['severity']>,
  errorType: string,
): RowCheck {
  const check = { ...clean(), outcome, severity, errorType };
  for (const dimension of fails) check[dimension] = false;
  return check;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i;

/** The transformation of each table: validation rules and the insert into the new database. */
export function tableMover(
  legacy: Database.Database,
  target: Database.Database,
  table: string,
) {
  switch (table) {
    case 'products': {
      const insert = target.prepare(
        'INSERT OR REPLACE INTO products VALUES (?, ?, ?, ?)',
      );
      return {
        keyOrder: 'sku',
        check(row: any): RowCheck {
          if (row.price_cents === null) {
            return problem(
              ['complete', 'accurate'],
              'failed',
              'high',
              'missing_price',
            );
          }
          return clean();
        },
        write: (row: any) =>
          insert.run(row.sku, row.name, row.price_cents, row.active ? 1 : 0),
      };
    }
    case 'customers': {
      const insert = target.prepare(
        'INSERT OR REPLACE INTO customers VALUES (?, ?, ?, ?, ?)',
      );
      return {
        keyOrder: 'id',
        check(row: any): RowCheck {
          if (row.email === null) {
            // Kept: customers without email are allowed, but incomplete.
            return problem(['complete'], 'imported', 'low', 'missing_email');
          }
          if (!EMAIL.test(row.email)) {
            return problem(
              ['valid', 'accurate'],
              'imported',
              'medium',
              'invalid_email',
            );
          }
          return clean();
        },
        write: (row: any) =>
          insert.run(
            row.id,
            row.name,
            row.email && EMAIL.test(row.email) ? row.email : null,
            row.country,
            row.created_at,
          ),
      };
    }
    case 'orders': {
      const insert = target.prepare(
        'INSERT OR REPLACE INTO orders VALUES (?, ?, ?, ?, ?)',
      );
      const customerExists = legacy.prepare(
        'SELECT 1 FROM customers WHERE id = ?',
      );
      return {
        keyOrder: 'id',
        check(row: any): RowCheck {
          if (!customerExists.get(row.customer_id)) {
            return problem(
              ['consistent'],
              'skipped',
              'high',
              'unknown_customer',
            );
          }
          return clean();
        },
        write: (row: any) =>
          insert.run(
            row.id,
            row.customer_id,
            row.status,
            row.total_cents,
            row.ordered_at,
          ),
      };
    }
    case 'order_items': {
      const insert = target.prepare(
        'INSERT OR REPLACE INTO order_items VALUES (?, ?, ?, ?, ?)',
      );
      return {
        keyOrder: 'order_id, line_no',
        check(row: any): RowCheck {
          if (row.quantity <= 0) {
            return problem(
              ['valid', 'accurate'],
              'failed',
              'critical',
              'non_positive_quantity',
            );
          }
          return clean();
        },
        write: (row: any) =>
          insert.run(
            row.order_id,
            row.line_no,
            row.sku,
            row.quantity,
            row.price_cents,
          ),
      };
    }
    default:
      throw new Error(`no mover for table ${table}`);
  }
}

/** Moves one chunk of rows in one transaction of the target and tallies it. */
export function moveChunk(
  legacy: Database.Database,
  target: Database.Database,
  table: string,
  offset: number,
  limit: number,
  tally: DatasetTally,
): number {
  const mover = tableMover(legacy, target, table);
  const cpu = process.cpuUsage();
  const rows = legacy
    .prepare(
      `SELECT * FROM ${table} ORDER BY ${mover.keyOrder} LIMIT ? OFFSET ?`,
    )
    .all(limit, offset);
  const apply = target.transaction(() => {
    for (const row of rows) {
      tally.bytes += Buffer.byteLength(JSON.stringify(row));
      const c = mover.check(row);
      if (c.errorType)
        tally.errorsByType[c.errorType] =
          (tally.errorsByType[c.errorType] ?? 0) + 1;
      if (c.complete) tally.complete++;
      if (c.valid) tally.valid++;
      if (c.consistent) tally.consistent++;
      if (c.accurate) tally.accurate++;
      if (c.severity) tally[c.severity]++;
      if (c.outcome === 'imported') {
        mover.write(row);
        tally.imported++;
      } else {
        tally[c.outcome]++;
      }
    }
  });
  apply();
  const used = process.cpuUsage(cpu);
  tally.cpuMicros += used.user + used.system;
  tally.memoryPeak = Math.max(tally.memoryPeak, process.memoryUsage().rss);
  return rows.length;
}

/** Quality dimensions (0-100) from a tally. */
export function qualityOf(t: DatasetTally) {
  const seen = t.imported + t.failed + t.skipped;
  const pct = (n: number) =>
    seen ? Math.round((n / seen) * 10000) / 100 : 100;
  return {
    completeness: pct(t.complete),
    validity: pct(t.valid),
    consistency: pct(t.consistent),
    accuracy: pct(t.accurate),
  };
}
