/*
 * Indexes for the read paths at scale (100,000 promotions): the promotion list without an entity
 * filter is ordered by creation time (newest first) and paged, which without this index sorts the
 * whole table on every request.
 */

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.alterTable('ladder_promotions', table => {
    table.index(['created_at', 'id'], 'ladder_promotions_created_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('ladder_promotions', table => {
    table.dropIndex(['created_at', 'id'], 'ladder_promotions_created_idx');
  });
};
