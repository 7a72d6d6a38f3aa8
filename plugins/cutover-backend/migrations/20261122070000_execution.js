// @ts-check

/**
 * Cutover execution: the history of read-source switches and cutover-state changes, freeze
 * windows, and reconciliation runs (background jobs with a heartbeat, like snapshots).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('cutover_switch_events', table => {
    table.comment('Read-source switches and cutover-state changes of datasets');
    table.bigIncrements('id').primary();
    table
      .string('migration_id', 63)
      .notNullable()
      .references('id')
      .inTable('cutover_migrations')
      .onDelete('CASCADE');
    table.string('dataset', 127).notNullable();
    table.string('kind', 15).notNullable();
    table.string('from_value', 15).notNullable();
    table.string('to_value', 15).notNullable();
    table.text('reason').notNullable();
    table.string('actor', 255).notNullable();
    table.bigInteger('at').notNullable();
    table.boolean('automatic').notNullable().defaultTo(false);
    table.index(['migration_id', 'at'], 'cutover_switch_events_migration_idx');
  });
  await knex.schema.createTable('cutover_freeze_windows', table => {
    table.comment('Freeze windows of a migration');
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
    table.bigInteger('starts_at').notNullable();
    table.bigInteger('ends_at').notNullable();
    table.string('status', 15).notNullable();
    table.boolean('allow_read_source_switch').notNullable().defaultTo(true);
    table.bigInteger('created_at').notNullable();
    table.string('created_by', 255).notNullable();
    table.bigInteger('activated_at');
    table.bigInteger('completed_at');
    table.bigInteger('cancelled_at');
    table.text('cancel_reason');
    table.index(['migration_id', 'status'], 'cutover_freeze_windows_migration_idx');
  });
  await knex.schema.createTable('cutover_reconciliation_runs', table => {
    table.comment('Reconciliation runs comparing source and destination datasets');
    table.string('id', 36).primary();
    table
      .string('migration_id', 63)
      .notNullable()
      .references('id')
      .inTable('cutover_migrations')
      .onDelete('CASCADE');
    table.string('status', 15).notNullable();
    table.string('trigger', 15).notNullable();
    table.integer('progress').notNullable().defaultTo(0);
    table.string('created_by', 255).notNullable();
    table.bigInteger('created_at').notNullable();
    table.bigInteger('started_at');
    table.bigInteger('finished_at');
    table.text('datasets').notNullable();
    table.text('thresholds').notNullable();
    table.text('error');
    table.bigInteger('heartbeat_at');
    table.index(['migration_id', 'created_at'], 'cutover_reconciliation_runs_migration_idx');
  });
  // One run at a time per migration: a scheduled run and a manual one don't compare twice.
  await knex.raw(
    `CREATE UNIQUE INDEX cutover_reconciliation_runs_one_active ON cutover_reconciliation_runs (migration_id) WHERE status IN ('PENDING', 'RUNNING')`,
  );
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('cutover_reconciliation_runs');
  await knex.schema.dropTable('cutover_freeze_windows');
  await knex.schema.dropTable('cutover_switch_events');
};
