/*
 * The fuzzer, driven by the OpenAPI spec: every operation the spec lists (a route added to the
 * spec is fuzzed without touching this file) gets requests built from its own parameters and
 * request body schema, then mutated (hostile path parameters, queries, bodies, callers and
 * headers); and every operation gets hostile headers: huge ones, malformed and foreign content
 * types, unknown charsets and encodings. The answer is always a 2xx or a 4xx
 * with a message a person can act on; never a 5xx, never a hang. LADDER_FUZZ_SEED replays a run.
 */
import request from 'supertest';
import fc from 'fast-check';
import { TestDatabases, mockCredentials } from '@backstage/backend-test-utils';
import { spec } from '../schema/openapi/generated/router';
import {
  createAppRepository,
  startLadderBackend,
} from '../__testUtils__/ladderFixture';
import {
  hostileString,
  hostileValue,
  mutated,
  mutatedQuery,
} from '../__testUtils__/hostileInput';
import { specProblems } from '../__testUtils__/specResponses';

jest.setTimeout(300_000);

type Json = any;
const SEED = process.env.LADDER_FUZZ_SEED
  ? Number(process.env.LADDER_FUZZ_SEED)
  : undefined;
const RUNS = 12;
/** An answer later than this is a hang. */
const ANSWER_WITHIN_MS = 15_000;
const ENTITY = 'component:default/orders-api';
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

const resolve = (node: Json): Json =>
  node?.$ref
    ? resolve(
        node.$ref
          .slice(2)
          .split('/')
          .reduce((n: Json, k: string) => n[k], spec),
      )
    : node;

interface Operation {
  name: string;
  method: (typeof METHODS)[number];
  path: string;
  parameters: Array<{
    name: string;
    in: string;
    schema?: Json;
    required?: boolean;
  }>;
  body?: Json;
}

/** Every operation of the spec, with its parameters and request body schema resolved. */
const operations: Operation[] = Object.entries(spec.paths as Json).flatMap(
  ([path, item]: [string, Json]) =>
    METHODS.filter(m => item[m]).map(method => ({
      name: `${method.toUpperCase()} ${path}`,
      method,
      path,
      parameters: (item[method].parameters ?? []).map(resolve),
      body: resolve(
        item[method].requestBody?.content?.['application/json']?.schema,
      ),
    })),
);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'every operation of the OpenAPI spec, fuzzed (%p)',
  databaseId => {
    const repo = createAppRepository();
    const { a } = repo.commits;
    let backend: Awaited<ReturnType<typeof startLadderBackend>>;
    const known: Record<string, string> = {};
    const alice = mockCredentials.user.header('user:default/alice');

    /** Values that make a valid request, by parameter or property name. */
    const valid = (name: string, schema: Json = {}): unknown => {
      const byName: Record<string, string> = {
        entityRef: ENTITY,
        kind: schema.enum ? schema.enum[0] : 'component',
        namespace: 'default',
        name: 'orders-api',
        id: known.promotionId,
        promotionId: known.promotionId,
        ref: a,
        sha: a,
        fromRef: a,
        toRef: a,
        target: 'dev',
        toRung: 'dev',
        rung: 'local',
        from: 'local',
        to: 'dev',
        ladder: 'khal',
        decision: 'reject',
        phase: 'Checking',
        url: 'https://ci.example/1',
      };
      if (schema.enum) return schema.enum[0];
      if (name in byName && schema.type !== 'object') return byName[name];
      switch (schema.type) {
        case 'integer':
        case 'number':
          return Math.max(
            schema.minimum ?? 0,
            Math.min(1, schema.maximum ?? 1),
          );
        case 'boolean':
          return true;
        case 'array':
          return [];
        case 'object':
          return schema.example ?? {};
        default:
          return schema.example ?? 'fuzz';
      }
    };
    const validBody = (schema: Json): Record<string, unknown> =>
      Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([k, s]) => [
          k,
          valid(k, s),
        ]),
      );
    const validQuery = (op: Operation): Record<string, string> =>
      Object.fromEntries(
        op.parameters
          .filter(p => p.in === 'query')
          .map(p => [p.name, String(valid(p.name, p.schema))]),
      );

    beforeAll(async () => {
      backend = await startLadderBackend({
        repoDir: repo.dir,
        knex: await databases.init(databaseId),
      });
      await request(backend.server)
        .post('/api/ladder/enrollments')
        .set('Authorization', alice)
        .send({ entityRef: ENTITY, ref: a });
      const promotion = await request(backend.server)
        .post('/api/ladder/promotions')
        .set('Authorization', alice)
        .send({ entityRef: ENTITY, toRung: 'hml', ref: a });
      known.promotionId = promotion.body.id;
      if (!known.promotionId) {
        throw new Error(
          `the fixture promotion was not created: ${promotion.text}`,
        );
      }
    });
    afterAll(() => backend?.stop());

    /** 'handled', or what went wrong. */
    const handled = (res: request.Response, what: string) => {
      const message = res.body?.error?.message;
      if (
        res.status >= 500 ||
        (res.status >= 400 &&
          res.status !== 431 &&
          !(typeof message === 'string' && message.length > 3))
      ) {
        return `${res.status} for ${what.slice(0, 400)}: ${res.text.slice(
          0,
          400,
        )}`;
      }
      return 'handled';
    };

    const send = (
      op: Operation,
      path: string,
      query: string,
      headers: Record<string, string>,
      body?: string,
    ) => {
      let req = request(backend.server)
        [op.method](`/api/ladder${path}${query ? `?${query}` : ''}`)
        .timeout(ANSWER_WITHIN_MS);
      for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
      return body === undefined ? req : req.send(body);
    };

    const callers = fc.constantFrom(
      alice,
      mockCredentials.user.header('user:default/sam'),
      mockCredentials.user.header('user:default/olga'),
      mockCredentials.service.header(),
      'Bearer not-a-token',
      'Basic YWxpY2U6aHVudGVyMg==',
      '',
    );

    it('knows every operation of the spec', () => {
      expect(operations.length).toBeGreaterThanOrEqual(19);
      // path templates are filled from the fixture by parameter name
      for (const op of operations) {
        for (const p of op.parameters.filter(x => x.in === 'path')) {
          expect([op.name, p.name, valid(p.name, p.schema)]).not.toContain(
            undefined,
          );
        }
      }
    });

    it.each(operations.map((op, i) => ({ ...op, i })))(
      '$name: hostile path parameters, queries, bodies and callers answer 2xx or 4xx',
      async op => {
        const pathParams = op.parameters.filter(p => p.in === 'path');
        const pathArb = fc
          .tuple(
            ...pathParams.map(p =>
              fc.oneof(
                {
                  weight: 3,
                  arbitrary: fc.constant(String(valid(p.name, p.schema))),
                },
                { weight: 1, arbitrary: hostileString.map(s => s || ' ') },
              ),
            ),
          )
          .map(values =>
            pathParams.reduce(
              (path, p, n) =>
                path.replace(`{${p.name}}`, encodeURIComponent(values[n])),
              op.path,
            ),
          );
        const query = validQuery(op);
        const queryArb = Object.keys(query).length
          ? fc.oneof(
              fc.constant(new URLSearchParams(query).toString()),
              mutatedQuery(query),
            )
          : fc.constant('');
        const bodyArb = op.body
          ? fc.oneof(
              fc.constant(validBody(op.body) as unknown),
              mutated(validBody(op.body)),
            )
          : fc.oneof(fc.constant(undefined), hostileValue);
        await fc.assert(
          fc.asyncProperty(
            pathArb,
            queryArb,
            bodyArb,
            callers,
            async (path, q, body, caller) => {
              const res = await send(
                op,
                path,
                q,
                {
                  ...(caller ? { Authorization: caller } : {}),
                  ...(body !== undefined
                    ? { 'content-type': 'application/json' }
                    : {}),
                },
                body === undefined ? undefined : JSON.stringify(body),
              );
              expect(handled(res, `${path}?${q} ${JSON.stringify(body)}`)).toBe(
                'handled',
              );
              // (a hostile path parameter holding "/" reaches no operation: a 404 of the router)
              const reachedOperation =
                res.status !== 404 ||
                path.split('/').length === op.path.split('/').length;
              expect(
                reachedOperation
                  ? specProblems(
                      op.method,
                      `/api/ladder${path}`,
                      res.status,
                      res.body,
                    )
                  : [],
              ).toEqual([]);
            },
          ),
          {
            numRuns: RUNS,
            endOnFailure: true,
            ...(SEED !== undefined ? { seed: SEED + op.i } : {}),
          },
        );
      },
    );

    const takesIdempotencyKey = (op: Operation) =>
      op.parameters.some(
        p => p.in === 'header' && /^idempotency-key$/i.test(p.name),
      );
    /**
     * Headers that are wrong, the operations they apply to, the status and a word the answer's
     * message must use to say what is wrong.
     */
    const hostileHeaders: Array<{
      name: string;
      headers: Record<string, string>;
      applies: (op: Operation) => boolean;
      status: number;
      says: RegExp;
    }> = [
      ...[
        ['text/plain', 'text/plain'],
        ['a form', 'application/x-www-form-urlencoded'],
        ['multipart', 'multipart/form-data; boundary=x'],
        ['a malformed content type', ';;;/json'],
        ['XML', 'application/xml'],
        [
          'an unbalanced quote in the charset',
          'application/json; charset="utf-8',
        ],
      ].map(([name, type]) => ({
        name,
        headers: { 'content-type': type },
        applies: (op: Operation) => op.method !== 'get',
        status: 415,
        says: /Content-Type .*application\/json/,
      })),
      ...['utf-16', 'latin1', 'klingon'].map(charset => ({
        name: `JSON in charset ${charset}`,
        headers: { 'content-type': `application/json; charset=${charset}` },
        applies: (op: Operation) => op.method !== 'get',
        status: 415,
        says: /charset .*UTF-8/,
      })),
      {
        name: 'a gzip body that is not gzip',
        headers: {
          'content-type': 'application/json',
          'content-encoding': 'gzip',
        },
        applies: op => op.method !== 'get',
        status: 400,
        says: /Content-Encoding gzip/,
      },
      {
        name: 'an unknown content encoding',
        headers: {
          'content-type': 'application/json',
          'content-encoding': 'zstd-ish',
        },
        applies: op => op.method !== 'get',
        status: 415,
        says: /content encoding "zstd-ish".*Content-Encoding/,
      },
      {
        name: 'an Idempotency-Key over 255 characters',
        headers: { 'idempotency-key': 'k'.repeat(300) },
        applies: takesIdempotencyKey,
        status: 400,
        says: /Idempotency-Key/i,
      },
    ];

    it.each(
      operations.flatMap(op =>
        hostileHeaders
          .filter(h => h.applies(op))
          .map(h => ({ op, ...h, label: `${op.name} with ${h.name}` })),
      ),
    )(
      '$label answers $status, naming what is wrong',
      async ({ op, headers, status, says }) => {
        const path = op.path.replace(/\{(\w+)\}/g, (_m, p) =>
          encodeURIComponent(String(valid(p))),
        );
        const q = new URLSearchParams(validQuery(op)).toString();
        const body =
          op.method === 'get'
            ? undefined
            : JSON.stringify(op.body ? validBody(op.body) : {});
        const res = await send(
          op,
          path,
          q,
          {
            authorization: alice,
            'content-type': 'application/json',
            ...headers,
          },
          body,
        );
        expect(handled(res, JSON.stringify(headers).slice(0, 100))).toBe(
          'handled',
        );
        expect(res.status).toBe(status);
        expect(res.body.error.message).toMatch(says);
        // and the spec says the operation can answer so
        expect(
          specProblems(op.method, `/api/ladder${path}`, res.status, res.body),
        ).toEqual([]);
      },
    );

    it('takes a huge harmless header (8 KB) like any other', async () => {
      for (const op of operations) {
        const res = await send(
          op,
          op.path.replace(/\{(\w+)\}/g, (_m, p) =>
            encodeURIComponent(String(valid(p))),
          ),
          new URLSearchParams(validQuery(op)).toString(),
          { authorization: alice, 'x-filler': 'x'.repeat(8 * 1024) },
        );
        expect(handled(res, op.name)).toBe('handled');
      }
    });

    it('answers headers beyond what the HTTP server takes (over 16 KB) with 431, without a hang', async () => {
      for (const op of operations) {
        const res = await send(
          op,
          op.path.replace(/\{(\w+)\}/g, (_m, p) =>
            encodeURIComponent(String(valid(p))),
          ),
          '',
          {
            Authorization: alice,
            'x-filler': 'x'.repeat(64 * 1024),
          },
        ).catch(
          error =>
            error.response ?? {
              status: `failed: ${error.code ?? error.message}`,
            },
        );
        expect([op.name, res.status]).toEqual([op.name, 431]);
      }
    });
  },
);
