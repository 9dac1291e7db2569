/*
 * Evidence content expires after `ladder.evidence.contentRetention` (the digest, summary and data
 * stay): `content_expired_at` says when. The retention task finds old evidence and old
 * Idempotency-Key records by creation time, hence the two indexes.
 */

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.alterTable('ladder_evidence', table => {
    table.string('content_expired_at', 32).nullable();
    table.index(['created_at'], 'ladder_evidence_created_idx');
  });
  await knex.schema.alterTable('ladder_idempotency_keys', table => {
    table.index(['created_at'], 'ladder_idempotency_created_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('ladder_idempotency_keys', table => {
    table.dropIndex(['created_at'], 'ladder_idempotency_created_idx');
  });
  await knex.schema.alterTable('ladder_evidence', table => {
    table.dropIndex(['created_at'], 'ladder_evidence_created_idx');
    table.dropColumn('content_expired_at');
  });
};
