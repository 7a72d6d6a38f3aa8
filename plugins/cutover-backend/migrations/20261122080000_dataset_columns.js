/**
 * How reconciliation pairs a dataset's columns: renamed columns (source name -> destination name)
 * and columns left out of the comparison, from the plan.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('cutover_datasets', table => {
    table
      .text('compared_columns')
      .notNullable()
      .defaultTo('{}')
      .comment('JSON { columnMap: { source: destination }, ignoreColumns: [name] } from the plan');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('cutover_datasets', table => {
    table.dropColumn('compared_columns');
  });
};
