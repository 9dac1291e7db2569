/*
 * The structured explanation of a promotion onto a rung that needs one (metadata.requiresExplanation):
 * the customer, the settings supplied (names), the change vs the rung below and who can approve,
 * as JSON, captured when the promotion was requested so approvers see what the requester saw.
 */

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.alterTable('ladder_promotions', table => {
    table.text('explanation_detail').nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('ladder_promotions', table => {
    table.dropColumn('explanation_detail');
  });
};
