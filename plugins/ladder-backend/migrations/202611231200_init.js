/*
 * The ladder engine's tables. Timestamps are ISO-8601 UTC strings so that they sort and compare
 * the same on SQLite and PostgreSQL.
 */

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('ladder_placements', table => {
    table.comment('Which ref of an entity sits on a rung: one row per entity and rung');
    table.string('entity_ref', 512).notNullable();
    table.string('rung_id', 64).notNullable();
    table.string('ladder_id', 64).notNullable();
    table.string('ref', 128).notNullable();
    table.string('via', 16).notNullable().comment('promotion | rollback | enrollment | adoption');
    table.string('promotion_id', 36).nullable();
    table.string('placed_at', 32).notNullable();
    table.string('placed_by', 512).notNullable();
    table.string('proof_status', 16).nullable().comment('null until the proof checks ran');
    table.string('proof_checked_at', 32).nullable();
    table.primary(['entity_ref', 'rung_id']);
    table.index(['proof_status', 'proof_checked_at'], 'ladder_placements_proof_idx');
  });

  await knex.schema.createTable('ladder_promotions', table => {
    table.comment('Requests to move a ref onto a rung, with their phase');
    table.string('id', 36).primary();
    table.string('entity_ref', 512).notNullable();
    table.string('ladder_id', 64).notNullable();
    table.string('from_rung', 64).nullable();
    table.string('to_rung', 64).notNullable();
    table.string('ref', 128).notNullable();
    table.string('kind', 16).notNullable();
    table.text('reason').notNullable();
    table.text('explanation').nullable();
    table.string('phase', 32).notNullable();
    table.text('phase_message').notNullable();
    table.string('requested_by', 512).notNullable();
    table.string('created_at', 32).notNullable();
    table.string('updated_at', 32).notNullable();
    table.integer('version').notNullable().defaultTo(1);
    // "<entity_ref>|<to_rung>" while the promotion is open, NULL once it is terminal. NULLs never
    // collide in a unique index (SQLite and PostgreSQL alike), so this allows exactly one open
    // promotion per entity and rung without a partial index.
    table.string('open_slot', 600).nullable();
    table.unique(['open_slot'], { indexName: 'ladder_promotions_open_slot_uniq' });
    table.index(['entity_ref', 'created_at'], 'ladder_promotions_entity_idx');
    table.index(['phase', 'updated_at'], 'ladder_promotions_phase_idx');
  });

  await knex.schema.createTable('ladder_gate_results', table => {
    table.comment('The latest result of each gate, per promotion (entry, verify) or placement (proof)');
    table.bigIncrements('id');
    table.string('promotion_id', 36).nullable();
    table.string('entity_ref', 512).notNullable();
    table.string('rung_id', 64).notNullable();
    table.string('ref', 128).notNullable();
    table.string('mode', 8).notNullable();
    table.integer('position').notNullable();
    table.string('gate_id', 128).notNullable();
    table.string('title', 256).notNullable();
    table.string('status', 8).notNullable();
    table.text('summary').notNullable();
    table.text('how_to_fix').nullable();
    table.text('evidence_ids').nullable();
    table.string('waiting_for', 256).nullable();
    table.string('checked_at', 32).notNullable();
    table.integer('duration_ms').nullable();
    table.index(['promotion_id', 'mode'], 'ladder_gate_results_promotion_idx');
    table.index(['entity_ref', 'rung_id', 'mode'], 'ladder_gate_results_subject_idx');
  });

  await knex.schema.createTable('ladder_approvals', table => {
    table.comment('Approvals and rejections; one per promotion and person');
    table.string('id', 36).primary();
    table.string('promotion_id', 36).notNullable();
    table.string('approver', 512).notNullable();
    table.string('decision', 8).notNullable();
    table.text('comment').notNullable();
    table.string('created_at', 32).notNullable();
    table.unique(['promotion_id', 'approver'], { indexName: 'ladder_approvals_promotion_approver_uniq' });
  });

  await knex.schema.createTable('ladder_evidence', table => {
    table.comment('Proof items, redacted at ingestion');
    table.string('id', 36).primary();
    table.string('entity_ref', 512).notNullable();
    table.string('rung_id', 64).notNullable();
    table.string('ref', 128).notNullable();
    table.string('kind', 64).notNullable();
    table.text('summary').notNullable();
    table.text('url').nullable();
    table.text('content').nullable();
    table.text('data').nullable();
    table.string('digest', 64).notNullable();
    table.integer('size_bytes').notNullable();
    table.integer('redactions').notNullable();
    table.string('created_by', 512).notNullable();
    table.string('created_at', 32).notNullable();
    table.index(['entity_ref', 'rung_id', 'ref', 'kind'], 'ladder_evidence_subject_idx');
    table.index(['entity_ref', 'created_at'], 'ladder_evidence_entity_idx');
  });

  await knex.schema.createTable('ladder_audit_events', table => {
    table.comment('Append-only trail, written in the same transaction as the change it records');
    table.bigIncrements('id');
    table.string('entity_ref', 512).notNullable();
    table.string('promotion_id', 36).nullable();
    table.string('rung_id', 64).nullable();
    table.string('ref', 128).nullable();
    table.string('action', 64).notNullable();
    table.string('actor', 512).notNullable();
    table.string('from_phase', 32).nullable();
    table.string('to_phase', 32).nullable();
    table.text('detail').notNullable();
    table.string('created_at', 32).notNullable();
    table.index(['entity_ref', 'id'], 'ladder_audit_entity_idx');
    table.index(['promotion_id', 'id'], 'ladder_audit_promotion_idx');
    table.index(['entity_ref', 'rung_id', 'action'], 'ladder_audit_placement_history_idx');
  });

  await knex.schema.createTable('ladder_idempotency_keys', table => {
    table.comment('First results of create and approve requests, per caller and Idempotency-Key');
    table.string('scope', 512).notNullable();
    table.string('operation', 64).notNullable();
    table.string('key', 255).notNullable();
    table.string('request_hash', 64).notNullable();
    table.integer('status_code').nullable();
    table.text('response').nullable();
    table.string('created_at', 32).notNullable();
    table.primary(['scope', 'operation', 'key']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('ladder_idempotency_keys');
  await knex.schema.dropTable('ladder_audit_events');
  await knex.schema.dropTable('ladder_evidence');
  await knex.schema.dropTable('ladder_approvals');
  await knex.schema.dropTable('ladder_gate_results');
  await knex.schema.dropTable('ladder_promotions');
  await knex.schema.dropTable('ladder_placements');
};
