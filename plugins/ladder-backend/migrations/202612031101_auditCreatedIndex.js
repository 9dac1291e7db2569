/*
 * Delivery insights read the audit trail by time window (all entities a caller may read, the
 * last N days); without this the window is a scan of the whole trail.
 */

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.alterTable('ladder_audit_events', table => {
    table.index(['created_at'], 'ladder_audit_created_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('ladder_audit_events', table => {
    table.dropIndex(['created_at'], 'ladder_audit_created_idx');
  });
};
