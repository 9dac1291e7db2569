/*
 * Bad input, property-based (fast-check): every request body, query and path parameter of the
 * router, mutated from a valid one (fields dropped, retyped or added, `__proto__`/`constructor`
 * keys, control characters, path traversal, huge and deeply nested values, malformed JSON). The
 * answer is always a 2xx or a 4xx with a message — never a 5xx or a hang — a refused write leaves
 * every ladder table as it was, and nothing pollutes Object.prototype. A failure prints the
 * fast-check seed and the shrunk input; LADDER_FUZZ_SEED replays a run.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import nodePath from 'node:path';
import request from 'supertest';
import fc from 'fast-check';
import type { Knex } from 'knex';
import { TestDatabases, mockCredentials } from '@backstage/backend-test-utils';
import { EVIDENCE_MAX_BYTES } from '@khal/plugin-ladder-common';
import {
  createAppRepository,
  startLadderBackend,
} from '../__testUtils__/ladderFixture';
import {
  hostileString,
  mutated,
  mutatedQuery,
} from '../__testUtils__/hostileInput';

jest.setTimeout(60_000);

const SEED = process.env.LADDER_FUZZ_SEED
  ? Number(process.env.LADDER_FUZZ_SEED)
  : undefined;
const RUNS = 10;
const ENTITY = 'component:default/orders-api';
const TABLES = [
  'ladder_promotions',
  'ladder_approvals',
  'ladder_gate_results',
  'ladder_placements',
  'ladder_evidence',
  'ladder_audit_events',
  'ladder_idempotency_keys',
];
const params = (seedOffset: number): fc.Parameters<unknown> => ({
  numRuns: RUNS,
  ...(SEED !== undefined ? { seed: SEED + seedOffset } : {}),
  endOnFailure: true,
});

/** JSON text nesting `depth` objects, e.g. {"a":{"a":…1…}}. */
const nested = (depth: number) =>
  `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'the router on bad input (%p)',
  databaseId => {
    const repo = createAppRepository();
    let knex: Knex;
    let backend: Awaited<ReturnType<typeof startLadderBackend>>;
    let promotionId: string;
    const alice = mockCredentials.user.header('user:default/alice');
    const sam = mockCredentials.user.header('user:default/sam');

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      backend = await startLadderBackend({ repoDir: repo.dir, knex });
      await request(backend.server)
        .post('/api/ladder/enrollments')
        .set('Authorization', alice)
        .send({ entityRef: ENTITY, ref: repo.commits.a });
      const created = await request(backend.server)
        .post('/api/ladder/promotions')
        .set('Authorization', alice)
        .send({ entityRef: ENTITY, toRung: 'hml', ref: repo.commits.a });
      promotionId = created.body.id;
    });
    afterAll(() => backend?.stop());

    const rowCounts = async () =>
      Object.fromEntries(
        await Promise.all(
          TABLES.map(
            async t =>
              [t, Number((await knex(t).count({ n: '*' }))[0].n)] as const,
          ),
        ),
      );

    /** 'handled', or what went wrong with which input. */
    const handled = (res: request.Response, input: unknown) => {
      const ok =
        res.status < 500 &&
        (res.status < 400 || typeof res.body?.error?.message === 'string');
      return ok
        ? 'handled'
        : `${res.status} for ${JSON.stringify(input)?.slice(
            0,
            500,
          )}: ${res.text.slice(0, 500)}`;
    };
    const noPollution = () => {
      const probe = {} as Record<string, unknown>;
      return ['polluted', 'isAdmin', 'a', 'phase', 'extra'].filter(
        k => probe[k] !== undefined,
      );
    };

    const bodies: Array<{
      name: string;
      path: () => string;
      who: string;
      valid: Record<string, unknown>;
    }> = [
      {
        name: 'create promotion',
        path: () => '/promotions',
        who: alice,
        valid: {
          entityRef: ENTITY,
          toRung: 'dev',
          ref: 'abc1234',
          kind: 'promotion',
          reason: 'r',
          explanation: 'e',
        },
      },
      {
        name: 'approval',
        path: () => `/promotions/${promotionId}/approvals`,
        who: sam,
        valid: { decision: 'reject', comment: 'no' },
      },
      {
        name: 'cancel',
        path: () => `/promotions/${promotionId}/cancel`,
        who: alice,
        valid: { reason: 'r' },
      },
      {
        name: 'recheck',
        path: () => `/promotions/${promotionId}/recheck`,
        who: alice,
        valid: {},
      },
      {
        name: 'evidence',
        path: () => '/evidence',
        who: alice,
        valid: {
          entityRef: ENTITY,
          rung: 'local',
          ref: 'abc1234',
          kind: 'build-output',
          summary: 's',
          content: 'c',
          url: 'https://ci.example/1',
          data: { a: 1 },
        },
      },
      {
        name: 'enrollment',
        path: () => '/enrollments',
        who: alice,
        valid: { entityRef: 'component:default/not-on-ladder', ref: 'abc1234' },
      },
    ];

    it.each(bodies.map((b, i) => ({ ...b, i })))(
      'answers mutated $name bodies with 2xx or 4xx, and a refused one writes nothing',
      async ({ path, who, valid, i }) => {
        await fc.assert(
          fc.asyncProperty(mutated(valid), async body => {
            const before = await rowCounts();
            const res = await request(backend.server)
              .post(`/api/ladder${path()}`)
              .set('Authorization', who)
              .set('content-type', 'application/json')
              .send(JSON.stringify(body));
            expect(handled(res, body)).toBe('handled');
            // A refused write changed nothing.
            expect(res.status >= 400 ? await rowCounts() : before).toEqual(
              before,
            );
            expect(noPollution()).toEqual([]);
          }),
          params(i),
        );
        const malformed = await request(backend.server)
          .post(`/api/ladder${path()}`)
          .set('Authorization', who)
          .set('content-type', 'application/json')
          .send('{"entityRef": ');
        expect(malformed.status).toBe(400);
        expect(malformed.body.error.message).toMatch(/not valid JSON/);
      },
    );

    const queries: Array<{ path: string; valid: Record<string, string> }> = [
      {
        path: '/overview',
        valid: {
          ladder: 'khal',
          owner: 'team-orders',
          system: 'orders',
          q: 'orders',
          limit: '10',
          cursor: 'eyJvZmZzZXQiOjB9',
        },
      },
      {
        path: '/promotions',
        valid: {
          entityRef: ENTITY,
          phase: 'Checking',
          awaitingMyApproval: 'true',
          limit: '5',
          cursor: 'eyJvZmZzZXQiOjB9',
        },
      },
      {
        path: '/evidence',
        valid: {
          entityRef: ENTITY,
          rung: 'local',
          ref: 'abc1234',
          kind: 'build-output',
        },
      },
      {
        path: '/plan',
        valid: { entityRef: ENTITY, target: 'dev', ref: 'abc1234' },
      },
      { path: '/audit', valid: { entityRef: ENTITY, limit: '5' } },
      {
        path: '/changes',
        valid: {
          entityRef: ENTITY,
          from: 'local',
          to: 'dev',
          fromRef: 'abc1234',
          toRef: 'def5678',
          target: 'dev',
        },
      },
    ];

    it.each(queries.map((q, i) => ({ ...q, i: i + 100 })))(
      'answers mutated queries of GET $path with 2xx or 4xx',
      async ({ path, valid, i }) => {
        await fc.assert(
          fc.asyncProperty(mutatedQuery(valid), async q => {
            const res = await request(backend.server)
              .get(`/api/ladder${path}?${q}`)
              .set('Authorization', alice);
            expect(handled(res, q)).toBe('handled');
            // Path traversal through a ref never reads outside the repository.
            expect(res.text).not.toMatch(/root:x:0:0|\[core\]/);
          }),
          params(i),
        );
      },
    );

    // PostgreSQL refuses NUL in text: every string field of every body and query, with one in it.
    it('answers a NUL character in any field with 2xx or 4xx, writing nothing when refused', async () => {
      const problems: string[] = [];
      for (const { path, who, valid } of bodies) {
        for (const key of Object.keys(valid).filter(
          k => typeof valid[k] === 'string',
        )) {
          const before = await rowCounts();
          const body = { ...valid, [key]: `x\u0000${valid[key]}` };
          const res = await request(backend.server)
            .post(`/api/ladder${path()}`)
            .set('Authorization', who)
            .send(body);
          if (handled(res, body) !== 'handled')
            problems.push(handled(res, body));
          if (
            res.status >= 400 &&
            JSON.stringify(await rowCounts()) !== JSON.stringify(before)
          ) {
            problems.push(`refused ${path()} ${key} but wrote rows`);
          }
        }
      }
      for (const { path, valid } of queries) {
        for (const key of Object.keys(valid)) {
          const q = new URLSearchParams({
            ...valid,
            [key]: `x\u0000${valid[key]}`,
          }).toString();
          const res = await request(backend.server)
            .get(`/api/ladder${path}?${q}`)
            .set('Authorization', alice);
          if (handled(res, q) !== 'handled') problems.push(handled(res, q));
        }
      }
      expect(problems).toEqual([]);
    });

    it('answers hostile path parameters with 2xx or 4xx', async () => {
      await fc.assert(
        fc.asyncProperty(hostileString, async odd => {
          const part = encodeURIComponent(odd || ' ');
          for (const path of [
            `/entities/${part}/default/${part}`,
            `/entities/component/${part}/orders-api`,
            `/promotions/${part}`,
            `/promotions/${part}/changes`,
          ]) {
            const res = await request(backend.server)
              .get(`/api/ladder${path}`)
              .set('Authorization', alice);
            expect(handled(res, path)).toBe('handled');
            expect(res.text).not.toMatch(/root:x:0:0/);
          }
          const before = await rowCounts();
          const res = await request(backend.server)
            .post(`/api/ladder/promotions/${part}/cancel`)
            .set('Authorization', alice)
            .send({});
          expect(handled(res, odd)).toBe('handled');
          expect(await rowCounts()).toEqual(before);
        }),
        params(200),
      );
    });

    /*
     * Manifests reach the API through the refs it reads them at: the deploy plan, the change view
     * (a manifest diff) and evidence intake (secret names to redact) all read khal-app.json from
     * the entity's repository. Fuzzed manifests are committed there and read through all three.
     */
    it('reads fuzzed manifests at any ref through plan, changes and evidence without a 5xx', async () => {
      const git = (...args: string[]) =>
        execFileSync('git', args, {
          cwd: repo.dir,
          encoding: 'utf8',
          env: {
            ...process.env,
            GIT_AUTHOR_NAME: 'F',
            GIT_AUTHOR_EMAIL: 'f@example.com',
            GIT_COMMITTER_NAME: 'F',
            GIT_COMMITTER_EMAIL: 'f@example.com',
          },
        }).trim();
      const valid = JSON.parse(
        fs.readFileSync(nodePath.join(repo.dir, 'khal-app.json'), 'utf8'),
      );
      const manifest = fc.oneof(
        mutated(valid).map(m => JSON.stringify(m)),
        fc.constantFrom(
          `{"__proto__":{"polluted":true},${JSON.stringify(valid).slice(1)}`,
          `${'['.repeat(50_000)}${']'.repeat(50_000)}`,
          JSON.stringify({ ...valid, title: 'x'.repeat(300_000) }),
          JSON.stringify({
            ...valid,
            env: [{ name: 'SECRET_\u001b[2J', secret: true }],
          }),
          '',
        ),
        hostileString,
      );
      await fc.assert(
        fc.asyncProperty(manifest, async text => {
          fs.writeFileSync(nodePath.join(repo.dir, 'khal-app.json'), text);
          git('add', 'khal-app.json');
          git('commit', '-q', '--allow-empty', '-m', 'fuzzed manifest');
          const sha = git('rev-parse', 'HEAD');
          const plan = await request(backend.server)
            .get(`/api/ladder/plan?entityRef=${ENTITY}&target=dev&ref=${sha}`)
            .set('Authorization', alice);
          expect(handled(plan, text.slice(0, 300))).toBe('handled');
          const changes = await request(backend.server)
            .get(
              `/api/ladder/changes?entityRef=${ENTITY}&fromRef=${repo.commits.a}&toRef=${sha}&target=dev`,
            )
            .set('Authorization', alice);
          expect(handled(changes, text.slice(0, 300))).toBe('handled');
          const evidence = await request(backend.server)
            .post('/api/ladder/evidence')
            .set('Authorization', alice)
            .send({
              entityRef: ENTITY,
              rung: 'local',
              ref: sha,
              kind: 'build-output',
              summary: 'built',
              content: 'ok',
            });
          expect(handled(evidence, text.slice(0, 300))).toBe('handled');
          expect(noPollution()).toEqual([]);
        }),
        { ...params(500), numRuns: 10 },
      );
    });

    it('refuses bodies over the limit with 413 and a message naming it, writing nothing', async () => {
      const before = await rowCounts();
      const evidence = {
        entityRef: ENTITY,
        rung: 'local',
        ref: repo.commits.a,
        kind: 'logs',
        summary: 'too big',
      };
      // Over the evidence limit, under the parser's cap.
      const overEvidence = await request(backend.server)
        .post('/api/ladder/evidence')
        .set('Authorization', alice)
        .send({ ...evidence, content: 'x'.repeat(EVIDENCE_MAX_BYTES + 1) });
      expect(overEvidence.status).toBe(413);
      expect(overEvidence.body.error.message).toContain(`limit is ${EVIDENCE_MAX_BYTES} bytes`);
      // Over the parser's cap, on every write route.
      for (const path of [
        '/evidence',
        '/promotions',
        `/promotions/${promotionId}/approvals`,
        '/enrollments',
      ]) {
        const huge = await request(backend.server)
          .post(`/api/ladder${path}`)
          .set('Authorization', alice)
          .set('content-type', 'application/json')
          .send(
            JSON.stringify({
              ...evidence,
              content: 'x'.repeat(EVIDENCE_MAX_BYTES * 4 + 10),
            }),
          );
        expect(huge.status).toBe(413);
        expect(huge.body.error.message).toMatch(
          /request body is larger than \d+ bytes/,
        );
      }
      expect(await rowCounts()).toEqual(before);
    });

    it('refuses deeply nested JSON with a 4xx naming the field, never a stack overflow', async () => {
      const before = await rowCounts();
      for (const depth of [200, 5_000, 60_000]) {
        const body = `{"entityRef":"${ENTITY}","rung":"local","ref":"${
          repo.commits.a
        }","kind":"status","summary":"deep","content":"c","data":${nested(
          depth,
        )}}`;
        const res = await request(backend.server)
          .post('/api/ladder/evidence')
          .set('Authorization', alice)
          .set('content-type', 'application/json')
          .send(body);
        expect(handled(res, `depth ${depth}`)).toBe('handled');
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(/data: .*nest/);
        const inReason = await request(backend.server)
          .post('/api/ladder/promotions')
          .set('Authorization', alice)
          .set('content-type', 'application/json')
          .send(
            `{"entityRef":"${ENTITY}","toRung":"dev","ref":"abc1234","reason":${nested(
              depth,
            )}}`,
          );
        // deep enough, the body passes ladder.requestBodyMaxBytes first (413 naming it)
        expect([400, 413]).toContain(inReason.status);
      }
      expect(await rowCounts()).toEqual(before);
      // Modest nesting is structured data like any other.
      const ok = await request(backend.server)
        .post('/api/ladder/evidence')
        .set('Authorization', alice)
        .set('content-type', 'application/json')
        .send(
          `{"entityRef":"${ENTITY}","rung":"local","ref":"${
            repo.commits.a
          }","kind":"status","summary":"nested","content":"c","data":${nested(
            10,
          )}}`,
        );
      expect(ok.body).toMatchObject({ kind: 'status' });
    });

    it('rejects control characters in text fields, naming the field', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.string({ maxLength: 20 }),
          fc.constantFrom(
            '\u0000',
            '\u0001',
            '\u0008',
            '\u000b',
            '\u001b',
            '\u007f',
          ),
          fc.constantFrom('reason', 'explanation'),
          async (text, control, field) => {
            const before = await rowCounts();
            const res = await request(backend.server)
              .post('/api/ladder/promotions')
              .set('Authorization', alice)
              .send({
                entityRef: ENTITY,
                toRung: 'dev',
                ref: 'abc1234',
                [field]: `${text}${control}${text}`,
              });
            expect(res.status).toBe(400);
            expect(res.body.error.message).toContain(
              `${field}: control characters are not allowed`,
            );
            expect(await rowCounts()).toEqual(before);
          },
        ),
        params(300),
      );
    });

    it('refuses NUL characters in evidence content (PostgreSQL cannot store them), keeping other control characters', async () => {
      const before = await rowCounts();
      const evidence = {
        entityRef: ENTITY,
        rung: 'local',
        ref: repo.commits.a,
        kind: 'logs',
        summary: 'log tail',
      };
      const nul = await request(backend.server)
        .post('/api/ladder/evidence')
        .set('Authorization', alice)
        .send({ ...evidence, content: 'started\u0000\u0000crashed' });
      expect(nul.status).toBe(400);
      expect(nul.body.error.message).toMatch(
        /content: contains NUL characters/,
      );
      expect(await rowCounts()).toEqual(before);
      const ansi = await request(backend.server)
        .post('/api/ladder/evidence')
        .set('Authorization', alice)
        .send({
          ...evidence,
          content: '\u001b[31mred\u001b[0m\ttab\r\nline\u0007',
        });
      expect(ansi.status).toBe(201);
    });

    /*
     * URL fields: evidence `url` is the only URL a caller gives. The backend never dereferences it
     * (it is a link people follow), so an internal address is no server-side request forgery, and
     * the local rung's proof legitimately points at localhost (DESIGN §1: `local` runs on the FDE's
     * machine). What must hold: only http(s), no credentials stored, and the backend never calls it.
     */
    it('never calls evidence URLs, keeps no credentials in them, and takes only http(s)', async () => {
      const hits: string[] = [];
      const listener = http.createServer((req, res) => {
        hits.push(req.url ?? '');
        res.end('ok');
      });
      await new Promise<void>(r => listener.listen(0, '127.0.0.1', r));
      const port = (listener.address() as AddressInfo).port;
      try {
        const internal = fc.constantFrom(
          `http://127.0.0.1:${port}/probe`,
          `http://localhost:${port}/probe`,
          `http://[::1]:${port}/probe`,
          'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
          'http://10.0.0.1/admin',
          'http://192.168.1.1/',
          'http://metadata.google.internal/computeMetadata/v1/',
          `http://user:hunter2-secret@127.0.0.1:${port}/probe`,
        );
        const other = fc.constantFrom(
          'file:///etc/passwd',
          // eslint-disable-next-line no-script-url
          'javascript:alert(1)',
          'gopher://127.0.0.1:6379/_FLUSHALL',
          'ftp://10.0.0.1/x',
          'data:text/html,<script>alert(1)</script>',
          '//127.0.0.1/x',
          '/etc/passwd',
        );
        await fc.assert(
          fc.asyncProperty(fc.oneof(internal, other), async url => {
            const before = await rowCounts();
            const res = await request(backend.server)
              .post('/api/ladder/evidence')
              .set('Authorization', alice)
              .send({
                entityRef: ENTITY,
                rung: 'local',
                ref: repo.commits.a,
                kind: 'url',
                summary: 'where it runs',
                url,
              });
            expect(handled(res, url)).toBe('handled');
            const web = /^https?:\/\//.test(url);
            expect(res.status).toBe(web ? 201 : 400);
            expect(JSON.stringify(res.body)).not.toContain('hunter2-secret');
            expect(web ? 'url: ' : res.body.error.message).toMatch(/url: /);
            expect(web ? before : await rowCounts()).toEqual(before);
          }),
          params(400),
        );
        // Reading and re-checking everything that carries them calls none of them either.
        await request(backend.server)
          .get(`/api/ladder/evidence?entityRef=${ENTITY}`)
          .set('Authorization', alice);
        await request(backend.server)
          .get('/api/ladder/entities/component/default/orders-api')
          .set('Authorization', alice);
        await request(backend.server)
          .post(`/api/ladder/promotions/${promotionId}/recheck`)
          .set('Authorization', alice);
        const stored = await knex('ladder_evidence').where({ kind: 'url' });
        expect(stored.length).toBeGreaterThan(0);
        expect(JSON.stringify(stored)).not.toContain('hunter2-secret');
        expect(hits).toEqual([]);
      } finally {
        await new Promise(r => listener.close(r));
      }
    });
  },
);
