import Database from 'better-sqlite3';
import path from 'node:path';

/** A deterministic pseudo-random generator, so every demo run moves the same data. */
export function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const FIRST = [
  'Ada',
  'Grace',
  'Linus',
  'Margaret',
  'Ken',
  'Barbara',
  'Dennis',
  'Frances',
  'Edsger',
  'Radia',
];
const LAST = [
  'Lovelace',
  'Hopper',
  'Torvalds',
  'Hamilton',
  'Thompson',
  'Liskov',
  'Ritchie',
  'Allen',
  'Dijkstra',
  'Perlman',
];
const COUNTRIES = ['SE', 'DE', 'FR', 'GB', 'US', 'NL', 'ES', 'IT'];

/** Sizes of the generated legacy tables. */
export const SIZES = {
  products: 800,
  customers: 6000,
  orders: 24000,
  order_items: 60000,
};

/**
 * Creates the legacy database with generated customers, products, orders and order items,
 * including the kinds of bad rows real legacy data has (missing emails, malformed ones,
 * orders of customers that no longer exist, negative quantities).
 */
export function createLegacyDatabase(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(`
    DROP TABLE IF EXISTS order_items; DROP TABLE IF EXISTS orders;
    DROP TABLE IF EXISTS customers; DROP TABLE IF EXISTS products;
    CREATE TABLE products (sku TEXT PRIMARY KEY, name TEXT, price_cents INTEGER, active INTEGER);
    CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, email TEXT, country TEXT, created_at TEXT);
    CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, status TEXT, total_cents INTEGER, ordered_at TEXT);
    CREATE TABLE order_items (order_id INTEGER, line_no INTEGER, sku TEXT, quantity INTEGER, price_cents INTEGER,
      PRIMARY KEY (order_id, line_no));
  `);
  const r = rng(42);
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)];
  const insert = db.transaction(() => {
    const p = db.prepare('INSERT INTO products VALUES (?, ?, ?, ?)');
    for (let i = 1; i <= SIZES.products; i++) {
      p.run(
        `SKU-${String(i).padStart(5, '0')}`,
        `Product ${i}`,
        r() < 0.01 ? null : Math.floor(100 + r() * 20000),
        r() < 0.9 ? 1 : 0,
      );
    }
    const c = db.prepare('INSERT INTO customers VALUES (?, ?, ?, ?, ?)');
    for (let i = 1; i <= SIZES.customers; i++) {
      const name = `${pick(FIRST)} ${pick(LAST)}`;
      const roll = r();
      let email: string | null = `${name
        .toLowerCase()
        .replace(' ', '.')}${i}@example.com`;
      if (roll < 0.03) email = null;
      else if (roll < 0.05) email = 'not-an-email';
      c.run(
        i,
        name,
        email,
        pick(COUNTRIES),
        new Date(Date.UTC(2015, 0, 1) + r() * 3e11).toISOString(),
      );
    }
    const o = db.prepare('INSERT INTO orders VALUES (?, ?, ?, ?, ?)');
    const it = db.prepare('INSERT INTO order_items VALUES (?, ?, ?, ?, ?)');
    let items = 0;
    for (let i = 1; i <= SIZES.orders; i++) {
      const customer =
        r() < 0.01
          ? SIZES.customers + 1 + Math.floor(r() * 100)
          : 1 + Math.floor(r() * SIZES.customers);
      o.run(
        i,
        customer,
        pick(['PAID', 'SHIPPED', 'DELIVERED', 'RETURNED']),
        Math.floor(r() * 50000),
        new Date(Date.UTC(2020, 0, 1) + r() * 1.5e11).toISOString(),
      );
      const lines =
        i === SIZES.orders
          ? SIZES.order_items - items
          : Math.min(SIZES.order_items - items, 1 + Math.floor(r() * 4));
      for (let l = 1; l <= lines; l++) {
        it.run(
          i,
          l,
          `SKU-${String(1 + Math.floor(r() * SIZES.products)).padStart(
            5,
            '0',
          )}`,
          r() < 0.02 ? -1 : 1 + Math.floor(r() * 5),
          Math.floor(100 + r() * 20000),
        );
        items++;
      }
    }
  });
  insert();
  return db;
}

/** Creates the (empty) new database with the target schema. */
export function createNewDatabase(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(`
    DROP TABLE IF EXISTS order_items; DROP TABLE IF EXISTS orders;
    DROP TABLE IF EXISTS customers; DROP TABLE IF EXISTS products;
    CREATE TABLE products (sku TEXT PRIMARY KEY, name TEXT NOT NULL, price_cents INTEGER NOT NULL, active BOOLEAN NOT NULL);
    CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT, country TEXT NOT NULL, created_at TEXT NOT NULL);
    CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, status TEXT NOT NULL, total_cents INTEGER NOT NULL, ordered_at TEXT NOT NULL);
    CREATE TABLE order_items (order_id INTEGER NOT NULL, line_no INTEGER NOT NULL, sku TEXT NOT NULL, quantity INTEGER NOT NULL, price_cents INTEGER NOT NULL,
      PRIMARY KEY (order_id, line_no));
  `);
  return db;
}

/**
 * The inventory databases the "Plan a data migration" template drafts a plan from: a legacy and a new
 * schema with warehouses, stock items and movements (foreign keys between them, a column renamed, one
 * dropped, a keyless log), each with a few rows. Nothing migrates them: they are there to be drafted.
 */
export function createInventoryDatabases(dir: string): void {
  const legacy = new Database(path.join(dir, 'inventory-legacy.db'));
  const next = new Database(path.join(dir, 'inventory-new.db'));
  const reset = `DROP TABLE IF EXISTS movement_log; DROP TABLE IF EXISTS stock_movements;
    DROP TABLE IF EXISTS stock_items; DROP TABLE IF EXISTS warehouses;`;
  legacy.exec(`${reset}
    CREATE TABLE warehouses (id INTEGER PRIMARY KEY, name TEXT, city TEXT, fax TEXT);
    CREATE TABLE stock_items (sku TEXT PRIMARY KEY, warehouse_id INTEGER REFERENCES warehouses (id), qty INTEGER, bin TEXT);
    CREATE TABLE stock_movements (id INTEGER PRIMARY KEY, sku TEXT REFERENCES stock_items (sku), delta INTEGER, at TEXT);
    CREATE TABLE movement_log (message TEXT, at TEXT);`);
  next.exec(`${reset}
    CREATE TABLE warehouses (id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT NOT NULL);
    CREATE TABLE stock_items (sku TEXT PRIMARY KEY, warehouse_id INTEGER NOT NULL REFERENCES warehouses (id), qty INTEGER NOT NULL,
      bin_location TEXT, reorder_level INTEGER);
    CREATE TABLE stock_movements (id INTEGER PRIMARY KEY, sku TEXT NOT NULL REFERENCES stock_items (sku), delta INTEGER NOT NULL, at TEXT NOT NULL);
    CREATE TABLE movement_log (message TEXT, at TEXT);`);
  const r = rng(7);
  legacy.transaction(() => {
    const w = legacy.prepare('INSERT INTO warehouses VALUES (?, ?, ?, ?)');
    ['Malmö', 'Hamburg', 'Lyon', 'Leeds'].forEach((city, i) =>
      w.run(i + 1, `${city} DC`, city, null),
    );
    const s = legacy.prepare('INSERT INTO stock_items VALUES (?, ?, ?, ?)');
    const m = legacy.prepare('INSERT INTO stock_movements VALUES (?, ?, ?, ?)');
    for (let i = 1; i <= 400; i++) {
      const sku = `SKU-${String(i).padStart(5, '0')}`;
      s.run(sku, 1 + (i % 4), Math.floor(r() * 500), `A${i % 40}`);
      for (let k = 0; k < 5; k++)
        m.run(
          i * 10 + k,
          sku,
          Math.floor(r() * 40) - 20,
          new Date(Date.UTC(2024, 0, 1) + r() * 3e10).toISOString(),
        );
    }
  })();
  legacy.close();
  next.close();
}
