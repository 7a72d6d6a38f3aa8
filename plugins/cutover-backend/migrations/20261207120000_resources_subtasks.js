// @ts-check

/**
 * Resources and cost in samples (bytes moved, CPU seconds, cost: absolute counters like the record
 * counts; memory peak: a gauge), errors by type, samples marked as sent while their job was told
 * to pause, and phases that can be paused on their own (with the datasets they move).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('cutover_metric_samples', table => {
    table.bigInteger('bytes_moved');
    table.float('cpu_seconds', 53);
    table.bigInteger('memory_peak_bytes');
    table.float('cost', 53);
    table.text('errors_by_type');
    table
      .boolean('paused')
      .notNullable()
      .defaultTo(false)
      .comment('sent while the migration or the dataset\'s phase was paused');
  });
  await knex.schema.alterTable('cutover_datasets', table => {
    table.bigInteger('bytes_moved');
    table.float('cpu_seconds', 53);
    table.bigInteger('memory_peak_bytes');
    table.float('cost', 53);
    table.text('errors_by_type');
    table
      .float('byte_rate', 53)
      .comment('bytes/s over the rate window, at last_sample_at');
    table
      .boolean('last_sample_paused')
      .notNullable()
      .defaultTo(false)
      .comment('the newest sample came while the job was told to pause');
  });
  await knex.schema.alterTable('cutover_phases', table => {
    table.text('datasets').notNullable().defaultTo('[]');
    table.boolean('paused').notNullable().defaultTo(false);
    table.bigInteger('paused_at');
    table.string('paused_by', 255);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('cutover_phases', table => {
    for (const c of ['datasets', 'paused', 'paused_at', 'paused_by']) table.dropColumn(c);
  });
  await knex.schema.alterTable('cutover_datasets', table => {
    for (const c of [
      'bytes_moved', 'cpu_seconds', 'memory_peak_bytes', 'cost', 'errors_by_type', 'byte_rate',
      'last_sample_paused',
    ]) {
      table.dropColumn(c);
    }
  });
  await knex.schema.alterTable('cutover_metric_samples', table => {
    for (const c of ['bytes_moved', 'cpu_seconds', 'memory_peak_bytes', 'cost', 'errors_by_type', 'paused']) {
      table.dropColumn(c);
    }
  });
};
