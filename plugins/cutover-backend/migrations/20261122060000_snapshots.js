// @ts-check

/**
 * Snapshots of a migration's destination datasets and rollbacks from them. Both are background
 * jobs: `heartbeat_at` is refreshed by the instance running them, so a job whose instance died is
 * found (heartbeat too old) and failed instead of hanging in RUNNING.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('cutover_snapshots', table => {
    table.comment('Snapshots of datasets on the migration destination');
    table.string('id', 36).primary();
    table
      .string('migration_id', 63)
      .notNullable()
      .references('id')
      .inTable('cutover_migrations')
      .onDelete('CASCADE');
    table.string('name', 255).notNullable();
    table.text('description');
    table.text('datasets').notNullable();
    table.string('status', 15).notNullable();
    table.integer('progress').notNullable().defaultTo(0);
    table.string('provider', 63);
    table.text('figures').notNullable().defaultTo('{}').comment('per dataset: count, size, checksum, location');
    table.bigInteger('created_at').notNullable();
    table.string('created_by', 255).notNullable();
    table.bigInteger('finished_at');
    table.bigInteger('expires_at');
    table.text('error');
    table.string('backup_for_rollback', 36);
    table.text('last_verification');
    table.bigInteger('heartbeat_at');
    table.index(['migration_id', 'created_at'], 'cutover_snapshots_migration_idx');
    table.index(['status', 'heartbeat_at'], 'cutover_snapshots_status_idx');
  });
  await knex.schema.createTable('cutover_rollbacks', table => {
    table.comment('Rollbacks of datasets from a snapshot');
    table.string('id', 36).primary();
    table
      .string('migration_id', 63)
      .notNullable()
      .references('id')
      .inTable('cutover_migrations')
      .onDelete('CASCADE');
    table.string('snapshot_id', 36).notNullable();
    table.text('datasets').notNullable();
    table.string('status', 15).notNullable();
    table.integer('progress').notNullable().defaultTo(0);
    table.bigInteger('records_restored').notNullable().defaultTo(0);
    table.bigInteger('records_deleted').notNullable().defaultTo(0);
    table.bigInteger('duration_ms');
    table.text('errors').notNullable().defaultTo('[]');
    table.boolean('verified');
    table.boolean('verify_after').notNullable();
    table.boolean('create_backup').notNullable();
    table.string('backup_snapshot_id', 36);
    table.text('results').notNullable().defaultTo('[]');
    table.text('reason');
    table.bigInteger('created_at').notNullable();
    table.string('created_by', 255).notNullable();
    table.bigInteger('started_at');
    table.bigInteger('finished_at');
    table.bigInteger('heartbeat_at');
    table.index(['migration_id', 'created_at'], 'cutover_rollbacks_migration_idx');
  });
  // One rollback at a time per migration, enforced by the database across replicas.
  await knex.raw(
    `CREATE UNIQUE INDEX cutover_rollbacks_one_active ON cutover_rollbacks (migration_id) WHERE status IN ('PENDING', 'RUNNING')`,
  );
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('cutover_rollbacks');
  await knex.schema.dropTable('cutover_snapshots');
};
