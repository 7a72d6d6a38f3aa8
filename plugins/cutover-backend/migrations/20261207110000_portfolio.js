// @ts-check

/**
 * Portfolio: one row per migration with everything the portfolio page and the group / system cards
 * show, kept current when the migration changes (debounced) and by a scheduled refresh. Reading the
 * portfolio never computes readiness, dashboards or alert counts per migration.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('cutover_migration_summaries', table => {
    table.comment(
      'What the portfolio shows of each migration, derived from the other tables; safe to rebuild',
    );
    table
      .string('migration_id', 63)
      .primary()
      .references('id')
      .inTable('cutover_migrations')
      .onDelete('CASCADE');
    table.string('title', 255).notNullable();
    table.string('owner', 255).notNullable().comment('lower case entity ref');
    table.string('approvers', 255).comment('lower case entity ref');
    table.text('entity_refs').notNullable().comment('JSON array');
    table.string('status', 31).notNullable();
    table.float('overall_progress').notNullable().defaultTo(0);
    table.bigInteger('planned_end');
    table.bigInteger('estimated_completion');
    table.string('recommendation', 31).notNullable();
    table.string('risk_level', 15).notNullable();
    table
      .integer('risk_rank')
      .notNullable()
      .comment('0 LOW .. 3 CRITICAL, for sorting');
    table.integer('readiness_score').notNullable().defaultTo(0);
    table.integer('alerts_critical').notNullable().defaultTo(0);
    table.integer('alerts_high').notNullable().defaultTo(0);
    table.integer('alerts_medium').notNullable().defaultTo(0);
    table.integer('alerts_low').notNullable().defaultTo(0);
    table
      .string('worst_drift', 15)
      .comment("worst level of the latest finished reconciliation's datasets");
    table.string('approval_status', 31).notNullable();
    table.string('next_milestone_name', 255);
    table.bigInteger('next_milestone_at');
    table.bigInteger('last_activity_at');
    table.integer('dataset_count').notNullable().defaultTo(0);
    table.bigInteger('refreshed_at').notNullable();
    table.index(['owner'], 'cutover_summaries_owner_idx');
    table.index(['risk_rank', 'readiness_score'], 'cutover_summaries_risk_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('cutover_migration_summaries');
};
