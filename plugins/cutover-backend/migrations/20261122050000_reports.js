// @ts-check

/**
 * Scheduled reports and the reports they delivered (kept for a configured time, served to
 * whoever may read reports of the migration, from any replica).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('cutover_report_schedules', table => {
    table.comment('Scheduled reports of a migration');
    table.string('id', 36).primary();
    table
      .string('migration_id', 63)
      .notNullable()
      .references('id')
      .inTable('cutover_migrations')
      .onDelete('CASCADE');
    table.string('name', 255).notNullable();
    table.string('report_type', 15).notNullable();
    table.string('format', 7).notNullable();
    table.string('frequency', 15).notNullable();
    table.integer('day_of_week');
    table.integer('day_of_month');
    table.string('time', 5).notNullable();
    table.string('timezone', 64).notNullable();
    table.text('recipients').notNullable();
    table.boolean('enabled').notNullable().defaultTo(true);
    table.bigInteger('created_at').notNullable();
    table.string('created_by', 255).notNullable();
    table.bigInteger('anchor_at').notNullable().comment('start of the fortnight count of BIWEEKLY');
    table.bigInteger('last_run_at');
    table.bigInteger('next_run_at').comment('the slot the dispatcher claims next');
    table.string('last_report_id', 36);
    table.text('last_error');
    table.index(['enabled', 'next_run_at'], 'cutover_report_schedules_due_idx');
  });
  await knex.schema.createTable('cutover_stored_reports', table => {
    table.comment('Reports generated for schedules, kept until expires_at');
    table.string('id', 36).primary();
    table
      .string('migration_id', 63)
      .notNullable()
      .references('id')
      .inTable('cutover_migrations')
      .onDelete('CASCADE');
    table.string('schedule_id', 36);
    table.string('report_type', 15).notNullable();
    table.string('file_name', 255).notNullable();
    table.string('content_type', 127).notNullable();
    table.binary('content').notNullable();
    table.bigInteger('size_bytes').notNullable();
    table.bigInteger('created_at').notNullable();
    table.bigInteger('expires_at').notNullable();
    table.index(['migration_id', 'created_at'], 'cutover_stored_reports_migration_idx');
    table.index(['expires_at'], 'cutover_stored_reports_expiry_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('cutover_stored_reports');
  await knex.schema.dropTable('cutover_report_schedules');
};
