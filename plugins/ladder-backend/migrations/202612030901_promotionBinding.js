/*
 * Binds a promotion to one commit and one manifest: the ref the requester typed (a branch, tag
 * or short SHA) next to the full SHA it resolved to (stored in `ref`), the sha256 of khal-app.json
 * at that SHA, and the deploy that claimed the approved promotion (single use).
 */

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.alterTable('ladder_promotions', table => {
    table
      .string('requested_ref', 128)
      .nullable()
      .comment('what the requester asked for; ref holds the resolved SHA');
    table
      .string('manifest_digest', 64)
      .nullable()
      .comment('sha256 of khal-app.json at ref, read at create time');
    table
      .string('claimed_by', 512)
      .nullable()
      .comment('the deploy (actor) that claimed the approved promotion');
    table.string('claimed_at', 32).nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('ladder_promotions', table => {
    table.dropColumn('claimed_at');
    table.dropColumn('claimed_by');
    table.dropColumn('manifest_digest');
    table.dropColumn('requested_ref');
  });
};
