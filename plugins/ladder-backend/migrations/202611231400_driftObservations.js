/*
 * Drift observations: a Kubernetes rung whose cluster runs a ref other than the one the ladder
 * placed there. One row per drift, kept after it is resolved, so `since` stays stable across
 * reads and replicas and the entity's owners are notified once.
 */

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('ladder_drifts', table => {
    table.comment(
      'Drift of a Kubernetes rung: what the cluster runs vs what the ladder placed',
    );
    table.string('id', 36).primary();
    table.string('entity_ref', 512).notNullable();
    table.string('rung_id', 64).notNullable();
    table.string('running_ref', 128).notNullable();
    table
      .string('expected_ref', 128)
      .nullable()
      .comment('null when the ladder placed nothing there');
    table.string('first_seen_at', 32).notNullable();
    table.string('last_seen_at', 32).notNullable();
    table.string('notified_at', 32).nullable();
    table.string('resolved_at', 32).nullable();
    table
      .string('resolution', 32)
      .nullable()
      .comment('adoption | rollback | promotion | cluster-returned');
    table.string('resolved_by', 512).nullable();
    table.string('resolved_promotion_id', 36).nullable();
    // "<entity_ref>|<rung_id>" while unresolved, NULL afterwards: one open drift per entity and rung.
    table.string('open_slot', 600).nullable();
    table.unique(['open_slot'], { indexName: 'ladder_drifts_open_slot_uniq' });
    table.index(['entity_ref', 'rung_id'], 'ladder_drifts_subject_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('ladder_drifts');
};
