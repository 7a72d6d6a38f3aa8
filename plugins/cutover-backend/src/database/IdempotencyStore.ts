import { Knex } from 'knex';

/** Responses kept per idempotency key, so that a retried request answers as the first did. */
export class IdempotencyStore {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  async getIdempotentResponse(migrationId: string, key: string) {
    const row = await this.db('cutover_idempotency_keys')
      .where({ migration_id: migrationId, key })
      .first();
    return row ? JSON.parse(row.response) : undefined;
  }

  async claimIdempotencyKey(
    migrationId: string,
    key: string,
    now: number,
  ): Promise<boolean> {
    const inserted = await this.db('cutover_idempotency_keys')
      .insert({ migration_id: migrationId, key, at: now, response: null })
      .onConflict(['migration_id', 'key'])
      .ignore()
      .returning('key');
    return inserted.length > 0;
  }

  async putIdempotentResponse(
    migrationId: string,
    key: string,
    response: unknown,
    now: number,
  ) {
    await this.db('cutover_idempotency_keys')
      .insert({
        migration_id: migrationId,
        key,
        at: now,
        response: JSON.stringify(response),
      })
      .onConflict(['migration_id', 'key'])
      .merge(['response']);
  }

  async pruneIdempotencyKeys(olderThan: number) {
    return this.db('cutover_idempotency_keys')
      .where('at', '<', olderThan)
      .delete();
  }
}
