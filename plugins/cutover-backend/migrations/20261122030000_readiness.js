// @ts-check

/**
 * Checklist results, approval requests and approval decisions.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('cutover_checklist_items', table => {
    table.comment('Checklist items of a migration: template items and custom ones, with manual results');
    table
      .string('migration_id', 63)
      .notNullable()
      .references('id')
      .inTable('cutover_migrations')
      .onDelete('CASCADE');
    table.string('id', 63).notNullable();
    table.integer('position').notNullable().defaultTo(0);
    table.string('category', 63).notNullable();
    table.string('title', 255).notNullable();
    table.text('description');
    table.boolean('required').notNullable().defaultTo(true);
    table.boolean('custom').notNullable().defaultTo(false);
    table.string('status', 15).notNullable().defaultTo('NOT_TESTED');
    table.text('notes');
    table.string('updated_by', 255);
    table.bigInteger('updated_at');
    table.integer('version').notNullable().defaultTo(0);
    table.primary(['migration_id', 'id']);
  });

  await knex.schema.alterTable('cutover_migrations', table => {
    table.string('checklist_template', 63).notNullable().defaultTo('standard');
  });

  await knex.schema.createTable('cutover_approval_requests', table => {
    table.comment('Requests for cutover approval; one open at a time per migration');
    table.string('id', 36).primary();
    table
      .string('migration_id', 63)
      .notNullable()
      .references('id')
      .inTable('cutover_migrations')
      .onDelete('CASCADE');
    table.string('requested_by', 255).notNullable();
    table.bigInteger('requested_at').notNullable();
    table.text('comments');
    table.string('status', 15).notNullable().defaultTo('OPEN');
    table.bigInteger('closed_at');
    table.index(['migration_id', 'requested_at'], 'cutover_approval_requests_migration_idx');
  });

  await knex.schema.createTable('cutover_approvals', table => {
    table.comment('Approvers decisions on approval requests');
    table.string('id', 36).primary();
    table.string('migration_id', 63).notNullable();
    table
      .string('request_id', 36)
      .notNullable()
      .references('id')
      .inTable('cutover_approval_requests')
      .onDelete('CASCADE');
    table.string('decision', 15).notNullable();
    table.string('approver', 255).notNullable();
    table.text('comments');
    table.text('conditions').notNullable().defaultTo('[]');
    table.string('recommendation', 31).notNullable();
    table.string('risk_level', 15).notNullable();
    table.integer('score').notNullable();
    table.bigInteger('decided_at').notNullable();
    table.bigInteger('expires_at');
    table.text('override_reason');
    table.bigInteger('revoked_at');
    table.string('revoked_by', 255);
    table.text('revoke_reason');
    // One decision per approver and request, even when two arrive at once.
    table.unique(['request_id', 'approver'], { indexName: 'cutover_approvals_one_per_approver' });
    table.index(['migration_id', 'decided_at'], 'cutover_approvals_migration_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('cutover_approvals');
  await knex.schema.dropTable('cutover_approval_requests');
  await knex.schema.alterTable('cutover_migrations', table => {
    table.dropColumn('checklist_template');
  });
  await knex.schema.dropTable('cutover_checklist_items');
};
