// @ts-check

/**
 * Phases (with dependencies and sub-tasks) and milestones of a migration's timeline.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('cutover_phases', table => {
    table.comment('Phases of a migration, set from the plan and updated by jobs and users');
    table
      .string('migration_id', 63)
      .notNullable()
      .references('id')
      .inTable('cutover_migrations')
      .onDelete('CASCADE');
    table.string('id', 127).notNullable();
    table.integer('position').notNullable().defaultTo(0);
    table.string('name', 255).notNullable();
    table.text('description');
    table.bigInteger('planned_start');
    table.bigInteger('planned_end');
    table.bigInteger('actual_start');
    table.bigInteger('actual_end');
    table.float('progress_percent').notNullable().defaultTo(0);
    table.string('status', 15).notNullable().defaultTo('PENDING');
    table.text('depends_on').notNullable().defaultTo('[]');
    table.text('sub_tasks').notNullable().defaultTo('[]');
    table.text('errors').notNullable().defaultTo('[]');
    table.text('warnings').notNullable().defaultTo('[]');
    table.boolean('removed').notNullable().defaultTo(false);
    table.bigInteger('updated_at').notNullable();
    table.primary(['migration_id', 'id']);
  });

  await knex.schema.createTable('cutover_milestones', table => {
    table.comment('Milestones of a migration');
    table
      .string('migration_id', 63)
      .notNullable()
      .references('id')
      .inTable('cutover_migrations')
      .onDelete('CASCADE');
    table.string('id', 127).notNullable();
    table.integer('position').notNullable().defaultTo(0);
    table.string('name', 255).notNullable();
    table.bigInteger('planned_date');
    table.bigInteger('actual_date');
    table.boolean('completed').notNullable().defaultTo(false);
    table.boolean('removed').notNullable().defaultTo(false);
    table.bigInteger('updated_at').notNullable();
    table.primary(['migration_id', 'id']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('cutover_milestones');
  await knex.schema.dropTable('cutover_phases');
};
