// @ts-check

/**
 * Metric samples (a time series of absolute counters per dataset) and the latest figures of each
 * dataset, kept beside the series so the dashboard reads one row per dataset.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('cutover_metric_samples', table => {
    table.comment('Samples reported by migration jobs; old ones are downsampled');
    table.string('migration_id', 63).notNullable();
    table.string('dataset', 127).notNullable();
    table.bigInteger('at').notNullable();
    table.bigInteger('total_records');
    table.bigInteger('imported_records');
    table.bigInteger('failed_records');
    table.bigInteger('skipped_records');
    table.float('completeness');
    table.float('validity');
    table.float('consistency');
    table.float('accuracy');
    table.bigInteger('errors_critical');
    table.bigInteger('errors_high');
    table.bigInteger('errors_medium');
    table.bigInteger('errors_low');
    table.boolean('during_freeze').notNullable().defaultTo(false);
    // A sample is identified by its dataset and timestamp: a retried sample replaces itself.
    table.primary(['migration_id', 'dataset', 'at']);
  });

  await knex.schema.alterTable('cutover_datasets', table => {
    table.bigInteger('total_records');
    table.bigInteger('imported_records').notNullable().defaultTo(0);
    table.bigInteger('failed_records').notNullable().defaultTo(0);
    table.bigInteger('skipped_records').notNullable().defaultTo(0);
    table.float('completeness');
    table.float('validity');
    table.float('consistency');
    table.float('accuracy');
    table.bigInteger('errors_critical').notNullable().defaultTo(0);
    table.bigInteger('errors_high').notNullable().defaultTo(0);
    table.bigInteger('errors_medium').notNullable().defaultTo(0);
    table.bigInteger('errors_low').notNullable().defaultTo(0);
    table.bigInteger('last_sample_at');
    table.float('import_rate').notNullable().defaultTo(0).comment('records/min over the rate window, at last_sample_at');
    table.float('quality_baseline').comment('quality score at the start of the rate window');
  });

  await knex.schema.createTable('cutover_idempotency_keys', table => {
    table.comment('Keys of requests already applied, so retried writes apply once');
    table.string('migration_id', 63).notNullable();
    table.string('key', 255).notNullable();
    table.bigInteger('at').notNullable();
    table.text('response');
    table.primary(['migration_id', 'key']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('cutover_idempotency_keys');
  await knex.schema.alterTable('cutover_datasets', table => {
    for (const c of [
      'total_records', 'imported_records', 'failed_records', 'skipped_records',
      'completeness', 'validity', 'consistency', 'accuracy',
      'errors_critical', 'errors_high', 'errors_medium', 'errors_low',
      'last_sample_at', 'import_rate', 'quality_baseline',
    ]) {
      table.dropColumn(c);
    }
  });
  await knex.schema.dropTable('cutover_metric_samples');
};
