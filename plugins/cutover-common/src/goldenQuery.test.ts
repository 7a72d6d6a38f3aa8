import { goldenQueryProblem, migrationPlanSchema } from './schemas';

describe('goldenQueryProblem', () => {
  it('accepts one SELECT or WITH query, looking past comments and quoted text', () => {
    for (const sql of [
      'SELECT 1',
      'select count(*) from orders;  ',
      "SELECT ';' AS semicolon, 'delete' AS word FROM orders",
      '-- counts; delete nothing\nSELECT count(*) FROM orders',
      '/* update: none */ WITH t AS (SELECT id FROM orders) SELECT count(*) FROM t',
      'SELECT "update" FROM orders',
    ]) {
      expect([sql, goldenQueryProblem(sql)]).toEqual([sql, null]);
    }
  });

  it('names what is wrong with anything else', () => {
    expect(goldenQueryProblem('   ')).toBe('is empty');
    expect(goldenQueryProblem('SELECT 1; SELECT 2')).toBe(
      'must be a single statement',
    );
    expect(goldenQueryProblem('UPDATE orders SET x = 1')).toBe(
      'must be a SELECT or WITH query',
    );
    expect(
      goldenQueryProblem(
        'WITH gone AS (DELETE FROM orders RETURNING id) SELECT count(*) FROM gone',
      ),
    ).toBe('must only read (found "DELETE")');
    expect(goldenQueryProblem('SELECT * INTO copy FROM orders')).toBe(
      'must only read (found "INTO")',
    );
    expect(goldenQueryProblem('SELECT * FROM orders FOR UPDATE')).toBe(
      'must only read (found "FOR UPDATE")',
    );
    expect(goldenQueryProblem("SELECT 'open")).toBe(
      'has an unterminated quoted text',
    );
    expect(goldenQueryProblem('SELECT 1 /* open')).toBe(
      'has an unterminated comment',
    );
  });

  it('is how plans validate their golden queries and relations', () => {
    const plan = {
      id: 'orders-v2',
      title: 'Orders',
      owner: 'group:default/orders-team',
      datasets: [
        { name: 'orders', table: 'orders', keyColumns: ['id'] },
        { name: 'lines', table: 'lines', keyColumns: ['id'] },
      ],
    };
    const result = migrationPlanSchema.safeParse({
      ...plan,
      integrity: {
        relations: [
          {
            dataset: 'lines',
            columns: ['order_id', 'x'],
            references: { dataset: 'nope', columns: ['id'] },
          },
        ],
        goldenQueries: [
          { name: 'q', sql: 'DROP TABLE orders' },
          { name: 'q', sql: 'SELECT 1', datasets: ['gone'] },
        ],
      },
      safetyTriggers: { errorRate: 2 },
    });
    expect(result.success).toBe(false);
    expect(
      result.error!.issues.map(i => `${i.path.join('.')}: ${i.message}`).sort(),
    ).toEqual(
      expect.arrayContaining([
        'integrity.goldenQueries.0.sql: must be a SELECT or WITH query',
        'integrity.relations.0.references.columns: columns and references.columns must have the same length',
        expect.stringMatching(/^safetyTriggers\.errorRate: /),
      ]),
    );
    const ok = migrationPlanSchema.safeParse({
      ...plan,
      integrity: {
        relations: [
          {
            dataset: 'lines',
            columns: ['order_id'],
            references: { dataset: 'nope', columns: ['id'] },
          },
        ],
        goldenQueries: [
          { name: 'q', sql: 'SELECT 1', datasets: ['gone'] },
          { name: 'q', sql: 'SELECT 2' },
        ],
      },
    });
    expect(ok.success).toBe(false);
    expect(
      ok.error!.issues.map(i => `${i.path.join('.')}: ${i.message}`).sort(),
    ).toEqual([
      'integrity.goldenQueries.0.datasets.0: unknown dataset "gone"',
      'integrity.goldenQueries.1.name: duplicate golden query name "q"',
      'integrity.relations.0.references.dataset: unknown dataset "nope"',
    ]);
  });
});
