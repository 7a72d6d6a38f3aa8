// @ts-check

/**
 * Migrations, their datasets and the audit trail.
 * Times are stored as epoch milliseconds (bigint) so SQLite and PostgreSQL compare and sort alike.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('cutover_migrations', table => {
    table.comment('Data migrations tracked by Switchyard');
    table.string('id', 63).primary().notNullable();
    table.string('title', 255).notNullable();
    table.text('description');
    table.string('owner', 255).notNullable();
    table.string('approvers', 255);
    table.text('source').comment('JSON: connection name and description');
    table.text('destination').comment('JSON: connection name and description');
    table.bigInteger('planned_start');
    table.bigInteger('planned_end');
    table.bigInteger('actual_start');
    table.bigInteger('actual_end');
    table.string('status', 31).notNullable().defaultTo('PLANNED');
    table.string('control_state', 15).notNullable().defaultTo('RUN');
    table.text('plan').notNullable().comment('JSON: the last applied plan');
    table.integer('revision').notNullable().defaultTo(1);
    table.string('created_by', 255);
    table.bigInteger('created_at').notNullable();
    table.bigInteger('updated_at').notNullable();
    table.bigInteger('archived_at');
    table.index(['owner'], 'cutover_migrations_owner_idx');
  });

  await knex.schema.createTable('cutover_migration_entities', table => {
    table.comment('Catalog entities a migration concerns');
    table
      .string('migration_id', 63)
      .notNullable()
      .references('id')
      .inTable('cutover_migrations')
      .onDelete('CASCADE');
    table.string('entity_ref', 255).notNullable();
    table.primary(['migration_id', 'entity_ref']);
    table.index(['entity_ref'], 'cutover_migration_entities_ref_idx');
  });

  await knex.schema.createTable('cutover_datasets', table => {
    table.comment('Datasets (tables or record types) moved by a migration');
    table
      .string('migration_id', 63)
      .notNullable()
      .references('id')
      .inTable('cutover_migrations')
      .onDelete('CASCADE');
    table.string('name', 127).notNullable();
    table.integer('position').notNullable().defaultTo(0);
    table.integer('tier').notNullable().defaultTo(2);
    table.string('category', 127);
    table.text('key_columns').notNullable().defaultTo('[]');
    table.string('source_table', 127);
    table.string('destination_table', 127);
    table.bigInteger('planned_total').comment('total from the plan');
    table.string('cutover_state', 15).notNullable().defaultTo('PENDING');
    table.string('read_source', 15).notNullable().defaultTo('LEGACY');
    table.boolean('removed').notNullable().defaultTo(false);
    table.primary(['migration_id', 'name']);
  });

  await knex.schema.createTable('cutover_audit_events', table => {
    table.comment('Every change to a migration: who, when, what, before and after');
    table.bigIncrements('id').primary();
    table.string('migration_id', 63).notNullable();
    table.bigInteger('at').notNullable();
    table.string('actor', 255).notNullable();
    table.string('action', 63).notNullable();
    table.string('target', 255);
    table.text('before');
    table.text('after');
    table.string('request_id', 127);
    table.index(['migration_id', 'id'], 'cutover_audit_events_migration_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('cutover_audit_events');
  await knex.schema.dropTable('cutover_datasets');
  await knex.schema.dropTable('cutover_migration_entities');
  await knex.schema.dropTable('cutover_migrations');
};
