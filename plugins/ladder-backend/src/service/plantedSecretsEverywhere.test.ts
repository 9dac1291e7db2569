import request from 'supertest';
import type { Knex } from 'knex';
import { TestDatabases, mockCredentials } from '@backstage/backend-test-utils';
import { plantedCorpus } from '../__testUtils__/plantedCorpus';
import { logCapture, stringsIn } from '../__testUtils__/logCapture';
import {
  createAppRepository,
  startLadderBackend,
} from '../__testUtils__/ladderFixture';

// 73 formats through nine write routes each, on a shared 2-core machine.
jest.setTimeout(600_000);

const as = (name: string) =>
  mockCredentials.user.header(`user:default/${name}`);
const ENTITY = 'component:default/orders-api';
/** What the request schemas accept as a ref and an entity name: where a bare token fits. */
const GIT_REF = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$/;
const ENTITY_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/;

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

/**
 * Every format of the planted corpus goes in through every write route that takes text: evidence
 * (summary, content, data keys and values), a promotion's reason and explanation, an approval's
 * comment, a cancellation's reason, a deploy's result summary and output; and bare, where a
 * field echoes what it got in its error (a ref, an entity name, a malformed body). Then the test
 * reads everything the backend wrote anywhere: every response body and header, every line the
 * plugin, the auditor and the HTTP router logged at any level with all its meta, every row of
 * every ladder table, every notification and signal. No planted secret is in any of them.
 */
describe('the planted corpus through every write route, read back from responses, logs and rows', () => {
  const repo = createAppRepository();
  const { a } = repo.commits;
  const logs = logCapture();
  let knex: Knex;
  let backend: Awaited<ReturnType<typeof startLadderBackend>>;
  const seen: Array<{ where: string; strings: string[] }> = [];

  const send = async (
    method: 'get' | 'post',
    path: string,
    who: string,
    body?: object | string,
  ) => {
    let req = request(backend.server)
      [method](`/api/ladder${path}`)
      .set('Authorization', as(who));
    if (typeof body === 'string')
      req = req.set('content-type', 'application/json');
    const res = await (body === undefined ? req : req.send(body));
    seen.push({
      where: `${method.toUpperCase()} ${path.slice(0, 60)} → ${res.status}`,
      strings: [
        res.text ?? '',
        ...stringsIn(res.body),
        ...stringsIn(res.headers),
      ],
    });
    return res;
  };
  const post = (path: string, who: string, body: object | string) =>
    send('post', path, who, body);

  beforeAll(async () => {
    knex = await databases.init('SQLITE_3');
    backend = await startLadderBackend({
      repoDir: repo.dir,
      knex,
      extraFeatures: [logs.feature],
    });
    // Walk the commit up to dev, so hml promotions wait for approval.
    const evidence = (rung: string, kind: string, data: object = {}) =>
      post('/evidence', 'alice', {
        entityRef: ENTITY,
        rung,
        ref: a,
        kind,
        summary: `${kind} ok`,
        content: `${kind} output`,
        data,
      });
    const enrolled = await post('/enrollments', 'alice', {
      entityRef: ENTITY,
      ref: a,
    });
    if (enrolled.status !== 201) throw new Error(`enrolment: ${enrolled.text}`);
    await evidence('local', 'build-output');
    const dev = await post('/promotions', 'alice', {
      entityRef: ENTITY,
      toRung: 'dev',
      ref: a,
    });
    await evidence('dev', 'env-contract', { supplied: ['DATABASE_URL'] });
    const plan = await send(
      'get',
      `/plan?entityRef=${ENTITY}&target=dev&ref=${a}`,
      'alice',
    );
    await evidence('dev', 'dry-run', {
      exitCode: 0,
      target: 'dev',
      planDigest: plan.body.planDigest,
    });
    await evidence('dev', 'deploy-output', { exitCode: 0 });
    const onDev = await send('get', `/promotions/${dev.body.id}`, 'alice');
    if (onDev.body.phase !== 'Promoted') {
      throw new Error(
        `the fixture did not reach dev: ${onDev.text.slice(0, 500)}`,
      );
    }
  });
  afterAll(() => backend?.stop());

  it('finds none of them anywhere', async () => {
    const unexpected: string[] = [];
    const expectStatus = (
      res: request.Response,
      status: number,
      what: string,
    ) => {
      if (res.status !== status)
        unexpected.push(`${what}: ${res.status} ${res.text.slice(0, 300)}`);
    };
    for (const format of plantedCorpus) {
      const { text } = format;
      const line = text.split('\n')[0].slice(0, 500);

      expectStatus(
        await post('/evidence', 'alice', {
          entityRef: ENTITY,
          rung: 'hml',
          ref: a,
          kind: 'logs',
          summary: line,
          content: text,
          data: { [text]: text, output: text, lines: text.split('\n') },
        }),
        201,
        `${format.name}: evidence`,
      );

      const rejected = await post('/promotions', 'alice', {
        entityRef: ENTITY,
        toRung: 'hml',
        ref: a,
        reason: text,
        explanation: text,
      });
      expectStatus(rejected, 201, `${format.name}: promotion`);
      expectStatus(
        await post(`/promotions/${rejected.body.id}/approvals`, 'sam', {
          decision: 'reject',
          comment: text,
        }),
        201,
        `${format.name}: rejection`,
      );

      const cancelled = await post('/promotions', 'alice', {
        entityRef: ENTITY,
        toRung: 'hml',
        ref: a,
      });
      expectStatus(
        await post(`/promotions/${cancelled.body.id}/cancel`, 'alice', {
          reason: text,
        }),
        200,
        `${format.name}: cancellation`,
      );

      const deployed = await post('/promotions', 'alice', {
        entityRef: ENTITY,
        toRung: 'hml',
        ref: a,
      });
      expectStatus(
        await post(`/promotions/${deployed.body.id}/approvals`, 'sam', {
          decision: 'approve',
          comment: text,
        }),
        201,
        `${format.name}: approval`,
      );
      expectStatus(
        await post(`/promotions/${deployed.body.id}/claim`, 'alice', {
          toRung: 'hml',
          sha: a,
        }),
        201,
        `${format.name}: claim`,
      );
      expectStatus(
        await post(`/promotions/${deployed.body.id}/deploy-result`, 'alice', {
          exitCode: 1,
          summary: line,
          output: text,
        }),
        200,
        `${format.name}: deploy result`,
      );

      // A token on its own (a format that is one word, e.g. `ghp_…`), where a field names
      // something and its error says what it got: a ref, an entity's name.
      const bare = /\s/.test(text) ? undefined : text;
      if (bare && GIT_REF.test(bare)) {
        const refused = [
          await post('/promotions', 'alice', {
            entityRef: ENTITY,
            toRung: 'hml',
            ref: bare,
          }),
          await post('/evidence', 'alice', {
            entityRef: ENTITY,
            rung: 'hml',
            ref: bare,
            kind: 'logs',
            summary: 's',
            content: 'c',
          }),
          await post('/enrollments', 'alice', {
            entityRef: 'component:default/not-on-ladder',
            ref: bare,
          }),
        ];
        for (const res of refused) {
          if (
            res.status !== 400 ||
            !/ref: .*looks like a credential/.test(res.body.error?.message)
          ) {
            unexpected.push(
              `${format.name}: a credential as ref answered ${
                res.status
              } ${res.text.slice(0, 200)}`,
            );
          }
        }
      }
      if (bare && ENTITY_NAME.test(bare)) {
        await post('/evidence', 'alice', {
          entityRef: `component:default/${bare}`,
          rung: 'local',
          ref: a,
          kind: 'logs',
          summary: 's',
          content: 'c',
        });
        await send('get', `/entities/component/default/${bare}`, 'alice');
      }
      // A body cut off inside a string, and one with the text where JSON wants a value.
      await post(
        '/promotions',
        'alice',
        `{"reason": ${JSON.stringify(text).slice(0, -1)}`,
      );
      await post('/promotions', 'alice', `{"reason": ${text}}`);
    }
    expect(unexpected).toEqual([]);
    // One refused inside an audited action: its audit event carries the error.
    expect(
      (
        await post('/promotions', 'alice', {
          entityRef: ENTITY,
          toRung: 'hml',
          ref: 'no-such-tag',
        })
      ).status,
    ).toBe(400);

    let cursor: string | undefined;
    do {
      const page = await send(
        'get',
        `/audit?entityRef=${ENTITY}&limit=500${
          cursor ? `&cursor=${cursor}` : ''
        }`,
        'alice',
      );
      cursor = page.body.nextCursor;
    } while (cursor);
    await send('get', `/promotions?entityRef=${ENTITY}&limit=500`, 'alice');
    await send('get', '/entities/component/default/orders-api', 'alice');

    const tables: string[] = (
      await knex('sqlite_master').where({ type: 'table' }).select('name')
    )
      .map((t: { name: string }) => t.name)
      .filter(name => name.startsWith('ladder_'));
    expect(tables).toEqual(
      expect.arrayContaining(['ladder_audit_events', 'ladder_evidence']),
    );
    for (const table of tables) {
      seen.push({
        where: `table ${table}`,
        strings: stringsIn(await knex(table).select()),
      });
    }
    // Log lines are written once redacted (asynchronously): wait until no more arrive.
    for (let count = -1; count !== logs.lines.length; ) {
      count = logs.lines.length;
      await new Promise(resolve => setTimeout(resolve, 300));
    }
    seen.push(
      { where: 'logs', strings: logs.strings() },
      {
        where: 'notifications',
        strings: stringsIn(backend.outbox.notifications),
      },
      { where: 'signals', strings: stringsIn(backend.outbox.signals) },
    );
    // The logs hold the audit events of every write, so the test reads what it means to read.
    expect(
      logs.lines.some(l => /ladder\.promotion-approve/.test(l.message)),
    ).toBe(true);
    // … and of refused ones, with the error that refused them.
    expect(
      logs.lines.some(
        l =>
          (l.fields as { status?: string }).status === 'failed' &&
          l.meta instanceof Error,
      ),
    ).toBe(true);

    const leaks = new Set<string>();
    for (const { where, strings } of seen) {
      const all = strings.join('\n');
      for (const format of plantedCorpus) {
        for (const secret of format.secrets) {
          const at = all.indexOf(secret);
          if (at !== -1) {
            leaks.add(
              `${where}: ${format.name}: …${all.slice(
                Math.max(0, at - 80),
                at + secret.length + 20,
              )}…`,
            );
          }
        }
      }
    }
    expect([...leaks]).toEqual([]);
  });
});
