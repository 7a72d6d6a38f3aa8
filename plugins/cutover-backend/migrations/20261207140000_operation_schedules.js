// @ts-check

/**
 * Scheduled operations (snapshots and reconciliations on the report schedules' timing, with the
 * outcome of their last run), and freeze windows that move on the clock: who activated or
 * completed a window (a person or the system) and the automatic rollbacks that happened in it.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('cutover_operation_schedules', table => {
    table.comment('Scheduled snapshots and reconciliations of a migration');
    table.string('id', 36).primary();
    table
      .string('migration_id', 63)
      .notNullable()
      .references('id')
      .inTable('cutover_migrations')
      .onDelete('CASCADE');
    table.string('operation', 15).notNullable().comment('SNAPSHOT or RECONCILIATION');
    table.string('name', 255).notNullable();
    table.string('frequency', 15).notNullable();
    table.integer('day_of_week');
    table.integer('day_of_month');
    table.string('time', 5).notNullable();
    table.string('timezone', 64).notNullable();
    table.text('datasets').comment('JSON array; null: all datasets');
    table.integer('retention_days');
    table.boolean('enabled').notNullable().defaultTo(true);
    table.bigInteger('created_at').notNullable();
    table.string('created_by', 255).notNullable();
    table.bigInteger('anchor_at').notNullable().comment('start of the fortnight count of BIWEEKLY');
    table.bigInteger('next_run_at').comment('the slot the dispatcher claims next');
    table.bigInteger('last_run_at');
    table.string('last_trigger', 15);
    table.string('last_status', 15);
    table.text('last_error');
    table.string('last_target_id', 36).comment('the snapshot or reconciliation run it started');
    table.integer('run_count').notNullable().defaultTo(0);
    table.integer('consecutive_failures').notNullable().defaultTo(0);
    table.index(['enabled', 'next_run_at'], 'cutover_operation_schedules_due_idx');
    table.index(['migration_id'], 'cutover_operation_schedules_migration_idx');
  });
  await knex.schema.alterTable('cutover_freeze_windows', table => {
    table.string('activated_by', 255);
    table.string('completed_by', 255);
    table.text('auto_rollbacks').comment('JSON array of automatic rollbacks while it was active');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('cutover_freeze_windows', table => {
    table.dropColumn('auto_rollbacks');
    table.dropColumn('completed_by');
    table.dropColumn('activated_by');
  });
  await knex.schema.dropTable('cutover_operation_schedules');
};
