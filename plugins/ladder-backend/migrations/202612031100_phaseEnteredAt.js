/*
 * When a promotion entered its current phase. `updated_at` moves on every write (a re-check, an
 * approval that does not reach quorum), so it cannot say how long a promotion has waited; the
 * metrics (time in each phase, approval wait) and the views read this instead. Rows written before
 * this column existed keep null: their entry time was never recorded, and nothing claims one.
 */

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.alterTable('ladder_promotions', table => {
    table
      .string('phase_entered_at', 32)
      .nullable()
      .comment('when the promotion entered its current phase (ISO 8601)');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('ladder_promotions', table => {
    table.dropColumn('phase_entered_at');
  });
};
