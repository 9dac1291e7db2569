import { manifestCorpus } from './__fixtures__/manifestCorpus';
import {
  formatManifestProblems,
  settingsForRung,
  validateManifest,
  MANIFEST_API_VERSION,
  MANIFEST_FILENAME,
  KhalAppManifest,
} from './index';

describe('validateManifest', () => {
  it('has a corpus large enough to mean something', () => {
    expect(manifestCorpus.length).toBeGreaterThanOrEqual(40);
    expect(new Set(manifestCorpus.map(row => row.title)).size).toBe(
      manifestCorpus.length,
    );
  });

  const valid = manifestCorpus.filter(row => row.problems.length === 0);
  const invalid = manifestCorpus.filter(row => row.problems.length > 0);

  it.each(valid.map(row => [row.title, row] as const))(
    'accepts %s',
    (_title, row) => {
      expect(validateManifest(row.input)).toEqual({
        ok: true,
        manifest: expect.any(Object),
      });
    },
  );

  it.each(invalid.map(row => [row.title, row] as const))(
    'rejects %s with exactly the expected problems',
    (_title, row) => {
      expect(validateManifest(row.input)).toEqual({
        ok: false,
        problems: row.problems.map(({ path, message, fixContains }) => ({
          path,
          message,
          fix: expect.stringContaining(fixContains ?? ''),
        })),
      });
    },
  );

  it('gives a field-specific fix for every problem in the corpus', () => {
    const generic = invalid
      .flatMap(row => {
        const result = validateManifest(row.input);
        return result.ok ? [] : result.problems;
      })
      .filter(problem =>
        problem.fix.includes('compare it with the khal-app.json schema'),
      );
    expect(generic).toEqual([]);
  });

  it('exports the file name and version', () => {
    expect(MANIFEST_FILENAME).toBe('khal-app.json');
    expect(MANIFEST_API_VERSION).toBe('khal.ai/v1');
  });

  it('applies defaults and keeps the manifest otherwise as written', () => {
    const result = validateManifest(
      JSON.stringify({
        apiVersion: 'khal.ai/v1',
        name: 'orders-api',
        title: 'Orders API',
        owner: 'group:default/team-orders',
        runtime: { kind: 'node', start: 'node dist/index.js' },
        env: [{ name: 'LOG_LEVEL', default: 'info' }],
      }),
    );
    expect(result).toEqual({
      ok: true,
      manifest: {
        apiVersion: 'khal.ai/v1',
        name: 'orders-api',
        title: 'Orders API',
        owner: 'group:default/team-orders',
        runtime: { kind: 'node', start: 'node dist/index.js' },
        env: [
          { name: 'LOG_LEVEL', default: 'info', required: true, secret: false },
        ],
      },
    });
  });

  it('reports every problem in one pass, including cross-field ones next to field errors', () => {
    const result = validateManifest({
      apiVersion: 'khal.ai/v1',
      name: 'orders-api',
      title: 'Orders API',
      owner: 'team-orders',
      runtime: { kind: 'node', start: 'node dist/index.js' },
      env: [{ name: 'TOKEN', secret: true, default: 'x' }, { name: 'TOKEN' }],
    });
    expect(result.ok ? [] : result.problems.map(p => p.path)).toEqual([
      '$.owner',
      '$.env[0].default',
      '$.env[1].name',
    ]);
  });

  it('honours smaller limits', () => {
    const text = JSON.stringify({ a: [[[1]]] });
    expect(validateManifest(text, { maxDepth: 3 })).toEqual({
      ok: false,
      problems: [
        expect.objectContaining({
          path: '$.a[0][0]',
          message: 'nesting is deeper than 3 levels (line 1, column 8)',
        }),
      ],
    });
    expect(validateManifest({ a: [[[1]]] }, { maxDepth: 3 })).toEqual({
      ok: false,
      problems: [
        expect.objectContaining({
          path: '$.a[0][0]',
          message: 'nesting is deeper than 3 levels',
        }),
      ],
    });
    expect(validateManifest('{"title": "é"}', { maxBytes: 13 })).toEqual({
      ok: false,
      problems: [
        expect.objectContaining({
          path: '$',
          message: 'the text is larger than 13 bytes',
        }),
      ],
    });
  });

  it('counts UTF-8 bytes, not characters, against maxBytes', () => {
    const text = `{"title": "${'é'.repeat(10)}"}`; // 23 characters, 33 bytes
    expect(validateManifest(text, { maxBytes: 32 }).ok).toBe(false);
    const result = validateManifest(text, { maxBytes: 33 });
    expect(result.ok ? [] : result.problems[0].message).not.toMatch(
      /larger than/,
    );
  });

  it('caps a flood of problems', () => {
    const env = Array.from({ length: 300 }, (_, i) => ({ name: `bad_${i}` }));
    const result = validateManifest({ apiVersion: 'khal.ai/v1', env });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(100);
    expect(result.problems[99]).toEqual({
      path: '$',
      message: expect.stringMatching(/^\d+ more problems are not listed$/),
      fix: 'fix the problems above and validate again',
    });
  });

  it('turns a throwing getter into a problem instead of an exception', () => {
    const input = {
      get apiVersion(): string {
        throw new Error('boom');
      },
    };
    expect(validateManifest(input)).toEqual({
      ok: false,
      problems: [
        {
          path: '$',
          message: 'the manifest could not be read (boom)',
          fix: 'pass the text of khal-app.json, or a plain JSON value',
        },
      ],
    });
  });

  it('reports undefined input', () => {
    expect(validateManifest(undefined)).toEqual({
      ok: false,
      problems: [
        expect.objectContaining({
          path: '$',
          message: 'no manifest was given',
        }),
      ],
    });
  });

  it('never lets "__proto__" reach the manifest', () => {
    const result = validateManifest('{"__proto__": {"polluted": true}}');
    expect(result).toEqual({
      ok: false,
      problems: [expect.objectContaining({ path: '$.__proto__' })],
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('formatManifestProblems', () => {
  it('writes one line per problem', () => {
    expect(
      formatManifestProblems([
        {
          path: '$.env[1].name',
          message: '"database_url" is not UPPER_SNAKE',
          fix: 'rename it to "DATABASE_URL"',
        },
        { path: '$', message: 'a', fix: 'b' },
      ]),
    ).toBe(
      '$.env[1].name: "database_url" is not UPPER_SNAKE — fix: rename it to "DATABASE_URL"\n$: a — fix: b',
    );
  });
});

describe('settingsForRung', () => {
  const manifest = {
    env: [
      { name: 'ALL', required: true, secret: false },
      { name: 'PROD_ONLY', required: true, secret: true, rungs: ['prod'] },
      {
        name: 'LOCAL_ONLY',
        required: false,
        secret: false,
        rungs: ['local', 'mirrored'],
      },
    ],
  } as KhalAppManifest;

  it('keeps settings without rungs and those naming one of the ids or aliases', () => {
    expect(settingsForRung(manifest, ['prod']).map(s => s.name)).toEqual([
      'ALL',
      'PROD_ONLY',
    ]);
    expect(
      settingsForRung(manifest, ['dev-local', 'local']).map(s => s.name),
    ).toEqual(['ALL', 'LOCAL_ONLY']);
    expect(settingsForRung(manifest, []).map(s => s.name)).toEqual(['ALL']);
  });
});
