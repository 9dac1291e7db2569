import type { Knex } from 'knex';

/**
 * Rolls back, one at a time, every migration newer than `name`, so a test of one migration's
 * `down` does not depend on how many were added after it.
 */
export async function migrateDownTo(knex: Knex, directory: string, name: string): Promise<void> {
  for (;;) {
    const [done] = await knex.migrate.list({ directory });
    const last = done[done.length - 1] as { name?: string } | string | undefined;
    const lastName = typeof last === 'string' ? last : last?.name;
    if (lastName === undefined) throw new Error(`migration ${name} was never run`);
    if (lastName === name) return;
    await knex.migrate.down({ directory });
  }
}
