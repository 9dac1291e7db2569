/*
 * Release policy held as state: pauses (stop the line for a ladder, a rung or one entity) and
 * commits marked bad. A pause in force has `active_slot` set (unique), so one scope is paused at
 * most once at a time; resuming clears it and keeps the row as history.
 */

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('ladder_pauses', table => {
    table.string('id', 36).primary();
    table.string('scope', 16).notNullable().comment('ladder, rung or entity');
    table.string('ladder_id', 63).nullable();
    table.string('rung_id', 63).nullable();
    table.string('entity_ref', 512).nullable();
    table.text('reason').notNullable();
    table.string('paused_by', 512).notNullable();
    table.string('paused_at', 32).notNullable();
    table.string('resumed_by', 512).nullable();
    table.string('resumed_at', 32).nullable();
    table.text('resume_reason').nullable();
    table
      .string('active_slot', 700)
      .nullable()
      .unique()
      .comment('scope|ladder|rung|entity while in force, null once resumed');
  });
  await knex.schema.createTable('ladder_bad_commits', table => {
    table.string('id', 36).primary();
    table.string('entity_ref', 512).notNullable();
    table.string('sha', 64).notNullable();
    table.text('reason').notNullable();
    table.string('marked_by', 512).notNullable();
    table.string('marked_at', 32).notNullable();
    table.unique(['entity_ref', 'sha']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('ladder_bad_commits');
  await knex.schema.dropTable('ladder_pauses');
};
