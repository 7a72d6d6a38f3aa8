import { ConfigReader } from '@backstage/config';
import { LoggerService } from '@backstage/backend-plugin-api';
import { logSqliteHashing } from './CutoverServices';

/** A logger that keeps what it is told. */
function capture() {
  const lines: string[] = [];
  const logger = {
    info: (message: string) => lines.push(message),
    warn: (message: string) => lines.push(message),
    error: (message: string) => lines.push(message),
    debug: () => {},
    child: () => logger,
  } as unknown as LoggerService;
  return { logger, lines };
}

const connections = {
  cutover: {
    connections: {
      legacy: { client: 'better-sqlite3', connection: { filename: ':memory:' }, owners: ['group:default/a'] },
      modern: { client: 'pg', connection: 'postgresql://localhost/x', owners: ['group:default/a'] },
    },
  },
};

describe('logSqliteHashing', () => {
  it('is quiet when SQLite rows are hashed natively, or when no connection is SQLite', () => {
    const { logger, lines } = capture();
    logSqliteHashing(new ConfigReader(connections), logger, true); // the extension is built at install
    logSqliteHashing(new ConfigReader({ cutover: { connections: { modern: connections.cutover.connections.modern } } }), logger, false);
    logSqliteHashing(new ConfigReader({}), logger, false);
    expect(lines).toEqual([]);
  });

  it('names the SQLite connections and why they are hashed in JavaScript', () => {
    const { logger, lines } = capture();
    logSqliteHashing(new ConfigReader(connections), logger, false);
    expect(lines).toEqual([
      'Reconciliations of legacy hash SQLite rows with JavaScript functions: cutover.reconciliation.nativeSqliteHashing is false',
    ]);
  });
});
