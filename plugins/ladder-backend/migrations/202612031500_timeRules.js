/*
 * Time rules of the release policy. `due_at`: when a time rule waiting on the promotion changes by
 * time alone (a soak ends, a window opens, a freeze ends, it or its approvals expire), so the
 * re-check looks at it first then instead of whenever its turn comes. `reminded_at`: when its
 * approvers were last reminded; replicas claim a reminder with a conditional update on it, so a
 * reminder is sent once per interval whatever the number of replicas.
 */

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.alterTable('ladder_promotions', table => {
    table
      .string('due_at', 32)
      .nullable()
      .comment(
        'when a time rule on the promotion changes (ISO 8601); null when none waits',
      );
    table
      .string('reminded_at', 32)
      .nullable()
      .comment('when its approvers were last reminded (ISO 8601)');
    table.index(['due_at'], 'ladder_promotions_due_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('ladder_promotions', table => {
    table.dropIndex(['due_at'], 'ladder_promotions_due_idx');
    table.dropColumn('reminded_at');
    table.dropColumn('due_at');
  });
};
