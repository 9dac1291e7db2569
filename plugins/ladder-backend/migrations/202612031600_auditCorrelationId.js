/*
 * Each audit row names the request (or scheduled run) that wrote it: the x-correlation-id the API
 * answered with, also found on that request's log lines and notifications. Rows written before
 * this have none.
 */

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.alterTable('ladder_audit_events', table => {
    table.string('correlation_id', 128).nullable();
    table.index(['correlation_id'], 'ladder_audit_correlation_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('ladder_audit_events', table => {
    table.dropIndex(['correlation_id'], 'ladder_audit_correlation_idx');
    table.dropColumn('correlation_id');
  });
};
