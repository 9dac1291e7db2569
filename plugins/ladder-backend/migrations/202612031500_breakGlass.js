/*
 * Break glass: an operator overrode a promotion's failing entry gates (never the approval gate)
 * with a reason. Kept on the promotion it marks, set in the same conditional update as the phase
 * change; the review is acknowledged later by someone else (a conditional update on
 * `break_glass_reviewed_by IS NULL`, so it is acknowledged once).
 */

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.alterTable('ladder_promotions', table => {
    table.text('break_glass_reason').nullable();
    table.string('break_glass_by', 512).nullable();
    table.string('break_glass_at', 32).nullable();
    table.text('break_glass_overridden').nullable().comment('JSON array of gate ids');
    table.string('break_glass_review_due_at', 32).nullable();
    table.string('break_glass_reviewed_by', 512).nullable();
    table.string('break_glass_reviewed_at', 32).nullable();
    table.text('break_glass_review_comment').nullable();
    table.index(['break_glass_review_due_at'], 'ladder_promotions_break_glass_due_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('ladder_promotions', table => {
    table.dropIndex(['break_glass_review_due_at'], 'ladder_promotions_break_glass_due_idx');
    table.dropColumns(
      'break_glass_reason',
      'break_glass_by',
      'break_glass_at',
      'break_glass_overridden',
      'break_glass_review_due_at',
      'break_glass_reviewed_by',
      'break_glass_reviewed_at',
      'break_glass_review_comment',
    );
  });
};
