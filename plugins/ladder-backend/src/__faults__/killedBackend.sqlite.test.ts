/*
 * The kill-and-restart fault (killScenario.ts) on SQLite: a database file the killed and the
 * restarted ladder processes share, as the embedded default runs it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { mockCredentials } from '@backstage/backend-test-utils';
import { killAndRestart } from './killScenario';

// Up to three kill-and-restart cycles of a backend process; minutes on a busy 2-core machine.
jest.setTimeout(180_000);

describe('a ladder backend killed mid-promotion on SQLITE_3 (a file shared by the processes)', () => {
  it('resumes after each SIGKILL, honours idempotency keys and loses nothing', async () => {
    // The assertions are in killAndRestart (killScenario.ts).
    expect.hasAssertions();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ladder-kill-'));
    const filename = path.join(dir, 'ladder.sqlite');
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename },
      useNullAsDefault: true,
    });
    try {
      await killAndRestart(
        { env: { LADDER_FAULT_SQLITE: filename }, knex },
        user => mockCredentials.user.header(`user:default/${user}`),
      );
    } finally {
      await knex.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
