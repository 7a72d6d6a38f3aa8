import { ConflictError } from '@backstage/errors';
import { Knex } from 'knex';

/** A table of a configured connection as a migration's plan names it. */
export interface TableClaim {
  connection: string;
  /** Canonical name: lower case, without the default schema (see `canonicalTableName`). */
  table: string;
  side: 'source' | 'destination';
}

/** Which migration holds which table. The only place with the claims' SQL. */
export class GovernanceStore {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  async claimsOf(migrationId: string): Promise<TableClaim[]> {
    const rows = await this.db('cutover_table_claims')
      .where({ migration_id: migrationId })
      .orderBy(['connection', 'table_name']);
    return rows.map(r => ({
      connection: r.connection,
      table: r.table_name,
      side: r.side,
    }));
  }

  /**
   * Makes `claims` the tables `migrationId` holds: releases the ones it no longer names and takes
   * the new ones. 409 naming the holder when another migration holds one of them (also when a
   * concurrent plan took it first).
   */
  async replaceClaims(
    migrationId: string,
    claims: TableClaim[],
  ): Promise<void> {
    const wanted = dedupe(claims);
    if (wanted.length) {
      const held = await this.db('cutover_table_claims')
        .whereNot({ migration_id: migrationId })
        .where(q => {
          for (const c of wanted)
            q.orWhere({ connection: c.connection, table_name: c.table });
        });
      if (held.length) throw claimConflict(held);
    }
    const current = await this.claimsOf(migrationId);
    const key = (c: { connection: string; table: string }) =>
      `${c.connection}\u0000${c.table}`;
    const keep = new Set(wanted.map(key));
    const gone = current.filter(c => !keep.has(key(c)));
    for (const c of gone) {
      await this.db('cutover_table_claims')
        .where({
          migration_id: migrationId,
          connection: c.connection,
          table_name: c.table,
        })
        .delete();
    }
    const have = new Set(current.map(key));
    const added = wanted.filter(c => !have.has(key(c)));
    for (const c of added) {
      // A concurrent plan may have taken it since the check above: the insert then does nothing
      // and the holder read back is the other migration.
      await this.db('cutover_table_claims')
        .insert({
          connection: c.connection,
          table_name: c.table,
          migration_id: migrationId,
          side: c.side,
        })
        .onConflict(['connection', 'table_name'])
        .ignore();
      const holder = await this.db('cutover_table_claims')
        .where({ connection: c.connection, table_name: c.table })
        .first();
      if (holder && holder.migration_id !== migrationId)
        throw claimConflict([holder]);
    }
  }

  /** Releases every table a migration holds (when it is archived). */
  async releaseClaims(migrationId: string): Promise<void> {
    await this.db('cutover_table_claims')
      .where({ migration_id: migrationId })
      .delete();
  }
}

function dedupe(claims: TableClaim[]): TableClaim[] {
  const seen = new Map<string, TableClaim>();
  for (const c of claims) {
    const k = `${c.connection}\u0000${c.table}`;
    // A table a plan names as both source and destination (one database) counts as destination.
    if (!seen.has(k) || c.side === 'destination') seen.set(k, c);
  }
  return [...seen.values()];
}

function claimConflict(
  rows: Array<{ connection: string; table_name: string; migration_id: string }>,
) {
  const list = rows.map(
    r =>
      `${r.connection}/${r.table_name} is held by migration "${r.migration_id}"`,
  );
  return new ConflictError(
    `A table belongs to one migration at a time: ${list.join(
      '; ',
    )} (archive that migration or remove the table from its plan first)`,
  );
}
