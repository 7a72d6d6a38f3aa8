// @ts-check

/**
 * Integrity checks: a reconciliation run keeps the foreign-key relations it checked on the
 * destination (orphans and sample keys) and the golden queries it ran on both sides (equal or not,
 * timings), as one JSON document beside its per-dataset results.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('cutover_reconciliation_runs', table => {
    table
      .text('integrity')
      .comment(
        'JSON: { relations: [...], goldenQueries: [...] } checked by the run; null on older runs',
      );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('cutover_reconciliation_runs', table =>
    table.dropColumn('integrity'),
  );
};
