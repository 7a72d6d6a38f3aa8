// @ts-check

/**
 * Governance: which migration holds which table of which connection (one each), the plan an
 * approval was given on (so changing datasets, approvers or thresholds makes it stale), refused
 * requests in the audit trail, emergency overrides of the approval gate, and what a rollback paused.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('cutover_table_claims', table => {
    table.comment(
      'Tables of configured connections, each held by at most one migration that is not archived',
    );
    table.string('connection', 127).notNullable();
    table
      .string('table_name', 255)
      .notNullable()
      .comment(
        'canonical: lower case, without the default schema (public, main)',
      );
    table
      .string('migration_id', 63)
      .notNullable()
      .references('id')
      .inTable('cutover_migrations')
      .onDelete('CASCADE');
    table.string('side', 15).notNullable().comment('source or destination');
    table.primary(['connection', 'table_name']);
    table.index(['migration_id'], 'cutover_table_claims_migration_idx');
  });
  await knex.schema.alterTable('cutover_approvals', table => {
    table
      .string('plan_fingerprint', 64)
      .comment('hash of the datasets, approvers and thresholds decided on');
  });
  await knex.schema.alterTable('cutover_audit_events', table => {
    table
      .string('outcome', 15)
      .notNullable()
      .defaultTo('success')
      .comment('success, or failure for a refused request');
    table.string('severity', 15).notNullable().defaultTo('medium');
  });
  await knex.schema.alterTable('cutover_switch_events', table => {
    table
      .text('override_reason')
      .comment('set when the approval gate was overridden in an emergency');
  });
  await knex.schema.alterTable('cutover_rollbacks', table => {
    table
      .string('paused_from', 15)
      .comment('the control state the rollback paused the migration from');
  });

  // Claims of the migrations already there, first come first served; a table two of them name
  // stays with the older one (the newer one gets a 409 when its plan is applied again).
  const migrations = await knex('cutover_migrations')
    .whereNull('archived_at')
    .orderBy('created_at')
    .select('id', 'source', 'destination');
  for (const m of migrations) {
    const connectionOf = (/** @type {string | null} */ text) => {
      try {
        return text ? JSON.parse(text).connection ?? null : null;
      } catch {
        return null;
      }
    };
    const source = connectionOf(m.source);
    const destination = connectionOf(m.destination);
    const datasets = await knex('cutover_datasets')
      .where({ migration_id: m.id, removed: false })
      .select('source_table', 'destination_table');
    const claims = [];
    for (const d of datasets) {
      if (source && d.source_table)
        claims.push({
          connection: source,
          table: d.source_table,
          side: 'source',
        });
      if (destination && d.destination_table)
        claims.push({
          connection: destination,
          table: d.destination_table,
          side: 'destination',
        });
    }
    for (const c of claims) {
      // Canonical as the plugin compares them: lower case, without the default schema.
      const name = String(c.table)
        .toLowerCase()
        .replace(/^(public|main)\./, '');
      await knex('cutover_table_claims')
        .insert({
          connection: c.connection,
          table_name: name,
          migration_id: m.id,
          side: c.side,
        })
        .onConflict(['connection', 'table_name'])
        .ignore();
    }
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('cutover_rollbacks', table =>
    table.dropColumn('paused_from'),
  );
  await knex.schema.alterTable('cutover_switch_events', table =>
    table.dropColumn('override_reason'),
  );
  await knex.schema.alterTable('cutover_audit_events', table => {
    table.dropColumn('severity');
    table.dropColumn('outcome');
  });
  await knex.schema.alterTable('cutover_approvals', table =>
    table.dropColumn('plan_fingerprint'),
  );
  await knex.schema.dropTable('cutover_table_claims');
};
