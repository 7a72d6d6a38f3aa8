/**
 * Gradual rollouts of read switches: a dataset's reads of `rollout_source` go to
 * `rollout_percent`% (1-99) of targeting keys; everyone else reads `read_source`. Both null when the
 * dataset has no rollout.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('cutover_datasets', table => {
    table
      .string('rollout_source', 15)
      .nullable()
      .comment('Read source given to rollout_percent% of targeting keys (DUAL or NEW); null: no rollout');
    table
      .integer('rollout_percent')
      .nullable()
      .comment('Share (1-99) of targeting keys reading rollout_source; null: no rollout');
  });
  await knex.schema.alterTable('cutover_switch_events', table => {
    table
      .integer('rollout_percent')
      .nullable()
      .comment('A READ_SOURCE event that started or changed a rollout: the share (1-99) reading to_value; null: everyone');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('cutover_switch_events', table => {
    table.dropColumn('rollout_percent');
  });
  await knex.schema.alterTable('cutover_datasets', table => {
    table.dropColumn('rollout_source');
    table.dropColumn('rollout_percent');
  });
};
