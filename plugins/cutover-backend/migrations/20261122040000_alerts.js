// @ts-check

/**
 * Alerts: raised by people, jobs and threshold rules; SLA deadlines and escalation.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('cutover_alerts', table => {
    table.comment('Alerts of a migration');
    table.string('id', 36).primary();
    table
      .string('migration_id', 63)
      .notNullable()
      .references('id')
      .inTable('cutover_migrations')
      .onDelete('CASCADE');
    table.string('alert_type', 15).notNullable();
    table.string('severity', 15).notNullable();
    table.string('title', 255).notNullable();
    table.text('message');
    table.string('dataset', 127);
    table.string('record_id', 255);
    table.string('status', 15).notNullable().defaultTo('OPEN');
    table.string('source', 15).notNullable().defaultTo('MANUAL');
    table.string('rule_key', 255).comment('threshold rule and dataset; one open alert per key');
    table.bigInteger('created_at').notNullable();
    table.string('created_by', 255).notNullable();
    table.bigInteger('target_resolution_time').notNullable();
    table.string('assigned_to', 255);
    table.bigInteger('resolved_at');
    table.string('resolved_by', 255);
    table.text('resolution');
    table.text('notes').notNullable().defaultTo('[]');
    table.integer('escalation_level').notNullable().defaultTo(0);
    table.bigInteger('last_escalated_at');
    table.index(['migration_id', 'status', 'created_at'], 'cutover_alerts_migration_idx');
    table.index(['status', 'target_resolution_time'], 'cutover_alerts_sla_idx');
  });
  // At most one open alert per threshold rule: the rule raises once, not once per sample.
  await knex.raw(
    `CREATE UNIQUE INDEX cutover_alerts_open_rule ON cutover_alerts (migration_id, rule_key) WHERE status = 'OPEN' AND rule_key IS NOT NULL`,
  );
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('cutover_alerts');
};
