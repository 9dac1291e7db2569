import fc from 'fast-check';
import { plantedCorpus } from '../__testUtils__/plantedCorpus';
import { Redactor } from './Redactor';

/**
 * Property-based: a random secret value under a random secret key, written in a random format
 * (env line, YAML, JSON scalar / array / nested object, Kubernetes env list, command line, URL)
 * and surrounded by random prose, never survives; the prose and a non-secret `author: bob` do.
 */
const r = new Redactor();

const VALUE_CHARS =
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-';
const value = (extra = '') =>
  fc
    .array(fc.constantFrom(...`${VALUE_CHARS}${extra}`), {
      minLength: 8,
      maxLength: 32,
    })
    .map(cs => `FAKE${cs.join('')}`);

const WORDS = [
  'password',
  'passwd',
  'pwd',
  'secret',
  'token',
  'api key',
  'admin key',
  'private key',
  'credential',
  'credentials',
  'auth',
  'dsn',
  'connection string',
];
const casing = fc.constantFrom(
  (s: string) => s,
  (s: string) => s.toUpperCase(),
  (s: string) => s.replace(/(^|\s)\w/g, c => c.toUpperCase()),
);
/** `DB_PASSWORD`, `khala-admin-key`, `App.Api.Key`, `DB Password`, … */
const secretKey = fc
  .tuple(
    fc.constantFrom('', 'db', 'khala', 'app', 'smtp', 'github'),
    fc.constantFrom(...WORDS),
    fc.constantFrom('_', '-', '.', ' '),
    casing,
  )
  .map(([prefix, word, sep, cased]) =>
    cased([prefix, word].filter(Boolean).join(' ').replace(/ /g, sep)),
  );

const prose = fc.lorem({ maxCount: 8 }).map(t => t.replace(/[^a-z ]/gi, ''));

type Format = (key: string, v: string) => string;
const FORMATS: Record<string, Format> = {
  env: (k, v) => `${k.replace(/ /g, '_')}=${v}`,
  yaml: (k, v) => `${k}: ${v}`,
  json: (k, v) => `{"${k}": "${v}", "replicas": 2}`,
  jsonArray: (k, v) => `{"${k}": ["x-FAKE-other", "${v}"]}`,
  jsonNested: (k, v) => `{"${k}": {"primary": {"value": "${v}"}}}`,
  yamlList: (k, v) => `${k}:\n  - ${v}\n  - second-FAKE-item`,
  kubernetesEnv: (k, v) =>
    `env:\n  - name: ${k
      .replace(/[ .-]/g, '_')
      .toUpperCase()}\n    value: ${v}`,
  kubernetesEnvJson: (k, v) =>
    `[{"name": "${k.replace(/[ .-]/g, '_').toUpperCase()}", "value": "${v}"}]`,
  commandLine: (k, v) =>
    `./deploy --verbose --${k
      .replace(/[ ._]/g, '-')
      .toLowerCase()} ${v} --dry-run`,
  commandLineEquals: (k, v) =>
    `./deploy --${k.replace(/[ ._]/g, '-').toLowerCase()}=${v}`,
};

describe('redaction properties', () => {
  it.each(Object.keys(FORMATS))(
    'never lets a secret value through in the %s format, keeping the prose around it',
    async name => {
      await fc.assert(
        fc.asyncProperty(
          prose,
          secretKey,
          value(),
          prose,
          async (before, key, secret, after) => {
            const text = `${before}\nauthor: bob\n${FORMATS[name](
              key,
              secret,
            )}\n${after}`;
            const out = (await r.text(text)).value;
            expect(out).not.toContain(secret);
            expect(out).toContain('author: bob');
            expect(out).toContain(before);
            expect(out).toContain(after);
          },
        ),
        { numRuns: 60 },
      );
    },
  );

  it('never lets a URL password through, whatever characters it holds', async () => {
    await fc.assert(
      fc.asyncProperty(prose, value('/@:!$%'), async (around, secret) => {
        const text = `${around} postgres://orders:${secret}@db.internal:5432/orders ${around}`;
        const out = (await r.text(text)).value;
        expect(out).not.toContain(secret);
        expect(out).toContain('db.internal:5432/orders');
      }),
      { numRuns: 100 },
    );
  });

  it('never lets a value under a secret key of structured data through, at any depth', async () => {
    const tree = fc.letrec(tie => ({
      node: fc.oneof(
        { depthSize: 'small' },
        value(),
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(fc.constantFrom('note', 'items', 'inner'), tie('node'), {
          maxKeys: 3,
        }),
      ),
    })).node;
    await fc.assert(
      fc.asyncProperty(secretKey, tree, async (key, under) => {
        const secrets =
          JSON.stringify(under).match(/FAKE[A-Za-z0-9._-]+/g) ?? [];
        const out = await r.data({ author: 'bob', [key]: under });
        const text = JSON.stringify(out.value);
        for (const s of secrets) expect(text).not.toContain(s);
        expect(out.value).toMatchObject({ author: 'bob' });
      }),
      { numRuns: 100 },
    );
  });

  it('keeps prose and non-secret keys unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(
        prose,
        fc.constantFrom(
          'author',
          'replicas',
          'image',
          'region',
          'keyboard',
          'authority',
        ),
        async (text, key) => {
          const input = `${text}\n${key}: bob\n${key}=alice`;
          expect(await r.text(input)).toEqual({ value: input, redactions: 0 });
        },
      ),
      { numRuns: 100 },
    );
  });
});

/**
 * Structured data built at random from the planted corpus: each format's text (or its bare
 * secret) put at a random depth as an object KEY, a value, or an array item, beside ordinary
 * keys. No planted secret survives anywhere in the result, keys included; ordinary keys and
 * values are kept.
 */
describe('redaction of structured data built from the planted corpus', () => {
  const planted = fc.constantFrom(...plantedCorpus);
  /** Where a planted text goes: as key, as value, as array item; and whether the key is a secret key. */
  type Placement = {
    text: string;
    secrets: string[];
    as: 'key' | 'value' | 'item' | 'keyValue';
  };
  const placement: fc.Arbitrary<Placement> = fc
    .tuple(planted, fc.constantFrom('key', 'value', 'item', 'keyValue'))
    .map(([f, as]) => ({
      text: f.text,
      secrets: f.secrets,
      as: as as Placement['as'],
    }));
  const ordinaryKey = fc.constantFrom(
    'note',
    'items',
    'inner',
    'stage',
    'build',
  );
  /** Wraps `leaf` in `depth` levels of objects and arrays. */
  const wrap = (leaf: unknown, path: Array<'object' | 'array'>) =>
    path.reduceRight<unknown>(
      (inner, kind) =>
        kind === 'array' ? ['ordinary item', inner] : { stage: 'build', inner },
      leaf,
    );
  const leafFor = (p: Placement): unknown => {
    switch (p.as) {
      case 'key':
        return { [p.text]: 'ordinary value', author: 'bob' };
      case 'keyValue':
        // a secret key name and a bare secret as its value, written inside a key
        return {
          [/^\S+$/.test(p.secrets[0]) ? `DB_PASSWORD=${p.secrets[0]}` : p.text]:
            true,
          author: 'bob',
        };
      case 'item':
        return ['ordinary item', p.text];
      default:
        return { author: 'bob', output: p.text };
    }
  };

  it('removes every planted secret whether it is a key, a value or an array item, at any depth', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            ordinaryKey,
            placement,
            fc.array(fc.constantFrom('object' as const, 'array' as const), {
              maxLength: 6,
            }),
          ),
          { minLength: 1, maxLength: 4 },
        ),
        async placements => {
          const input: Record<string, unknown> = { author: 'bob' };
          placements.forEach(([key, p, path], i) => {
            input[`${key}${i}`] = wrap(leafFor(p), path);
          });
          const out = await r.data(input);
          const text = JSON.stringify(out.value);
          for (const [, p] of placements) {
            for (const s of p.secrets) expect(text).not.toContain(s);
          }
          expect(out.value).toMatchObject({ author: 'bob' });
          expect(Object.keys(out.value)).toEqual(Object.keys(input));
          expect(out.redactions).toBeGreaterThan(0);
        },
      ),
      { numRuns: 120 },
    );
  });

  it('keeps keys apart when two of them redact to the same marker, and never touches the prototype', async () => {
    const token = (n: number) => `ghp_${String(n).repeat(36)}`;
    const out = await r.data({
      [token(1)]: 'one',
      [token(2)]: 'two',
      ['__proto__']: { polluted: true },
    } as Record<string, unknown>);
    const keys = Object.keys(out.value);
    expect(new Set(keys).size).toBe(3);
    expect(JSON.stringify(out.value)).not.toMatch(/ghp_1|ghp_2/);
    expect(Object.values(out.value)).toEqual(
      expect.arrayContaining(['one', 'two']),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
