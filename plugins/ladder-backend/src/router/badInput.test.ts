/*
 * Bad input: every request body and query of the router, mutated at random (wrong types, missing
 * and unknown fields, odd strings, deep nesting, malformed JSON). The answer is always a 4xx (or a
 * success) with a message — never a 5xx. A small seeded generator instead of a property-testing
 * library keeps the package's dependencies as they are; a failure prints the seed and the input.
 */
import request from 'supertest';
import type { Knex } from 'knex';
import { TestDatabases, mockCredentials } from '@backstage/backend-test-utils';
import { createAppRepository, startLadderBackend } from '../__testUtils__/ladderFixture';

const SEED = Number(process.env.LADDER_FUZZ_SEED ?? 20261123);
const RUNS = 30;
const ENTITY = 'component:default/orders-api';

/** mulberry32: small, fast, reproducible. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const oddStrings = [
  '',
  ' ',
  'a'.repeat(5000),
  '\u0000',
  '../../etc/passwd',
  "'; drop table ladder_promotions; --",
  'component:',
  ':/',
  'component:default/',
  'kind:ns/name/extra',
  '%00',
  '😀'.repeat(300),
  '__proto__',
  'constructor',
  'Promoted',
  'local',
  'abc1234',
  '-1',
  '1e309',
  'true',
  'null',
  '{"a":1}',
  'ZZZZ-not-a-cursor',
];

function generator(next: () => number) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const value = (depth: number): unknown => {
    switch (Math.floor(next() * (depth > 2 ? 6 : 9))) {
      case 0:
        return pick(oddStrings);
      case 1:
        return Math.floor(next() * 2 ** 40) * (next() < 0.5 ? -1 : 1);
      case 2:
        return next() < 0.5;
      case 3:
        return null;
      case 4:
        return pick([0, -0.5, Number.MAX_SAFE_INTEGER, 1e308]);
      case 5:
        // Any BMP character but lone surrogates (which no client can put on the wire).
        return String.fromCharCode(
          ...Array.from({ length: Math.floor(next() * 40) }, () => {
            const c = Math.floor(next() * 0xffff);
            return c >= 0xd800 && c <= 0xdfff ? c - 0x800 : c;
          }),
        );
      case 6:
        return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1));
      default: {
        const o: Record<string, unknown> = {};
        for (let i = Math.floor(next() * 4); i > 0; i--) o[pick([...oddStrings, 'entityRef', 'ref', 'kind'])] = value(depth + 1);
        return o;
      }
    }
  };
  /** A valid body with one to three fields dropped, retyped or added. */
  const mutate = (valid: Record<string, unknown>): unknown => {
    if (next() < 0.1) return value(0);
    const body: Record<string, unknown> = { ...valid };
    for (let i = 1 + Math.floor(next() * 3); i > 0; i--) {
      const keys = Object.keys(body);
      const r = next();
      if (r < 0.3 && keys.length) delete body[pick(keys)];
      else if (r < 0.8 && keys.length) body[pick(keys)] = value(0);
      else body[pick(['extra', '__proto__', 'constructor', 'phase', 'requestedBy'])] = value(0);
    }
    return body;
  };
  const query = (valid: Record<string, string>) => {
    const q = mutate(valid);
    if (typeof q !== 'object' || q === null || Array.isArray(q)) return `x=${encodeURIComponent(String(q))}`;
    return Object.entries(q)
      .map(([k, v]) =>
        Array.isArray(v)
          ? v.map(x => `${encodeURIComponent(k)}=${encodeURIComponent(String(x))}`).join('&')
          : `${encodeURIComponent(k)}=${encodeURIComponent(typeof v === 'object' ? JSON.stringify(v) : String(v))}`,
      )
      .join('&');
  };
  return { pick, value, mutate, query };
}

describe('the router on bad input', () => {
  const repo = createAppRepository();
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let knex: Knex;
  let backend: Awaited<ReturnType<typeof startLadderBackend>>;
  let promotionId: string;
  const alice = mockCredentials.user.header('user:default/alice');
  const sam = mockCredentials.user.header('user:default/sam');

  beforeAll(async () => {
    knex = await databases.init('SQLITE_3');
    backend = await startLadderBackend({ repoDir: repo.dir, knex });
    await request(backend.server).post('/api/ladder/enrollments').set('Authorization', alice).send({ entityRef: ENTITY, ref: repo.commits.a });
    const created = await request(backend.server)
      .post('/api/ladder/promotions')
      .set('Authorization', alice)
      .send({ entityRef: ENTITY, toRung: 'hml', ref: repo.commits.a });
    promotionId = created.body.id;
  });
  afterAll(() => backend?.stop());

  const bodies: Array<{ path: () => string; who: string; valid: Record<string, unknown> }> = [
    { path: () => '/promotions', who: alice, valid: { entityRef: ENTITY, toRung: 'dev', ref: 'abc1234', kind: 'promotion', reason: 'r', explanation: 'e' } },
    { path: () => `/promotions/${promotionId}/approvals`, who: sam, valid: { decision: 'approve', comment: 'ok' } },
    { path: () => `/promotions/${promotionId}/cancel`, who: alice, valid: { reason: 'r' } },
    { path: () => `/promotions/${promotionId}/recheck`, who: alice, valid: {} },
    {
      path: () => '/evidence',
      who: alice,
      valid: { entityRef: ENTITY, rung: 'local', ref: 'abc1234', kind: 'build-output', summary: 's', content: 'c', url: 'https://ci.example/1', data: { a: 1 } },
    },
    { path: () => '/enrollments', who: alice, valid: { entityRef: ENTITY, ref: 'abc1234' } },
  ];
  const queries: Array<{ path: string; valid: Record<string, string> }> = [
    { path: '/overview', valid: { ladder: 'khal', owner: 'team-orders', system: 'orders', q: 'orders', limit: '10', cursor: 'eyJvZmZzZXQiOjB9' } },
    { path: '/promotions', valid: { entityRef: ENTITY, phase: 'Checking', awaitingMyApproval: 'true', limit: '5', cursor: 'eyJvZmZzZXQiOjB9' } },
    { path: '/evidence', valid: { entityRef: ENTITY, rung: 'local', ref: 'abc1234', kind: 'build-output' } },
    { path: '/plan', valid: { entityRef: ENTITY, target: 'dev', ref: 'abc1234' } },
    { path: '/audit', valid: { entityRef: ENTITY, limit: '5' } },
    { path: '/changes', valid: { entityRef: ENTITY, from: 'local', to: 'dev', fromRef: 'abc1234', toRef: 'def5678', target: 'dev' } },
  ];

  /** 'handled', or what went wrong with which input and seed. */
  const handled = (res: request.Response, input: unknown) => {
    const ok = res.status < 500 && (res.status < 400 || typeof res.body?.error?.message === 'string');
    return ok ? 'handled' : `seed ${SEED}: ${res.status} for ${JSON.stringify(input)}: ${res.text.slice(0, 500)}`;
  };

  it.each(bodies.map((b, i) => ({ ...b, name: b.valid && Object.keys(b.valid).join(','), i })))(
    'answers mutated POST bodies with 2xx or 4xx ($name)',
    async ({ path, who, valid, i }) => {
      const gen = generator(random(SEED + i));
      for (let run = 0; run < RUNS; run++) {
        const body = gen.mutate(valid);
        const res = await request(backend.server)
          .post(`/api/ladder${path()}`)
          .set('Authorization', who)
          .set('content-type', 'application/json')
          .send(JSON.stringify(body));
        expect(handled(res, body)).toBe('handled');
      }
      const malformed = await request(backend.server)
        .post(`/api/ladder${path()}`)
        .set('Authorization', who)
        .set('content-type', 'application/json')
        .send('{"entityRef": ');
      expect(handled(malformed, 'malformed JSON')).toBe('handled');
      expect(malformed.status).toBe(400);
    },
  );

  it.each(queries.map((q, i) => ({ ...q, i: i + 100 })))('answers mutated queries of GET $path with 2xx or 4xx', async ({ path, valid, i }) => {
    const gen = generator(random(SEED + i));
    for (let run = 0; run < RUNS; run++) {
      const q = gen.query(valid);
      const res = await request(backend.server).get(`/api/ladder${path}?${q}`).set('Authorization', alice);
      expect(handled(res, q)).toBe('handled');
    }
  });

  it('answers odd path parameters with 2xx or 4xx', async () => {
    for (const odd of oddStrings) {
      const part = encodeURIComponent(odd || ' ');
      for (const path of [`/entities/${part}/default/${part}`, `/promotions/${part}`, `/promotions/${part}/changes`]) {
        const res = await request(backend.server).get(`/api/ladder${path}`).set('Authorization', alice);
        expect(handled(res, path)).toBe('handled');
      }
      const res = await request(backend.server).post(`/api/ladder/promotions/${part}/cancel`).set('Authorization', alice).send({});
      expect(handled(res, odd)).toBe('handled');
    }
  });
});
