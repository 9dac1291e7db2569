import fc from 'fast-check';
import { designExample } from './__fixtures__/manifestCorpus';
import { validateManifest, ManifestValidationResult } from './index';

/** Shape check: a result, never an exception, and every problem fully filled in. */
function expectWellFormed(result: ManifestValidationResult) {
  expect(typeof result.ok).toBe('boolean');
  if (result.ok) {
    expect(typeof result.manifest).toBe('object');
    return;
  }
  expect(result.problems.length).toBeGreaterThan(0);
  expect(result.problems.length).toBeLessThanOrEqual(100);
  for (const problem of result.problems) {
    expect(problem.path).toMatch(/^\$/);
    expect(problem.message.length).toBeGreaterThan(0);
    expect(problem.fix.length).toBeGreaterThan(0);
  }
}

/** Runs a property; its failure report (with the counterexample) is undefined when it holds. */
function failureOf<Ts extends [unknown, ...unknown[]]>(
  property: fc.IProperty<Ts>,
  params: fc.Parameters<Ts>,
): string | undefined {
  return fc.defaultReportMessage(fc.check(property, params));
}

function timed<T>(run: () => T): { value: T; ms: number } {
  const start = Date.now();
  const value = run();
  return { value, ms: Date.now() - start };
}

describe('validateManifest on arbitrary input', () => {
  it('never throws on arbitrary JSON values', () => {
    expect(
      failureOf(
        fc.property(fc.jsonValue(), value => {
          expectWellFormed(validateManifest(value));
        }),
        { numRuns: 300 },
      ),
    ).toBeUndefined();
  });

  it('never throws on arbitrary values taken through JSON', () => {
    expect(
      failureOf(
        fc.property(fc.anything(), value => {
          const text = JSON.stringify(value);
          expectWellFormed(
            validateManifest(text === undefined ? value : JSON.parse(text)),
          );
        }),
        { numRuns: 300 },
      ),
    ).toBeUndefined();
  });

  it('never throws on arbitrary non-JSON values either', () => {
    expect(
      failureOf(
        fc.property(
          fc.anything({
            withBigInt: true,
            withMap: true,
            withSet: true,
            withDate: true,
            withTypedArray: true,
            withNullPrototype: true,
          }),
          value => {
            expectWellFormed(validateManifest(value));
          },
        ),
        { numRuns: 300 },
      ),
    ).toBeUndefined();
  });

  it('never throws on arbitrary strings', () => {
    expect(
      failureOf(
        fc.property(
          fc.oneof(
            fc.string(),
            fc.string({ unit: 'grapheme' }),
            fc.string({ unit: 'binary' }),
            fc.json(),
          ),
          text => {
            expectWellFormed(validateManifest(text));
          },
        ),
        { numRuns: 300 },
      ),
    ).toBeUndefined();
  });

  it('never throws on the design example with one field replaced by anything', () => {
    const paths: Array<Array<string | number>> = [
      ['apiVersion'],
      ['name'],
      ['owner'],
      ['runtime'],
      ['runtime', 'port'],
      ['env'],
      ['env', 0],
      ['env', 1, 'enum'],
      ['env', 1, 'default'],
      ['env', 1, 'pattern'],
      ['deploy', 'kubernetes'],
    ];
    expect(
      failureOf(
        fc.property(
          fc.constantFrom(...paths),
          fc.jsonValue(),
          (path, replacement) => {
            const manifest = designExample();
            let node: Record<string | number, unknown> = manifest;
            for (const key of path.slice(0, -1))
              node = node[key] as Record<string | number, unknown>;
            node[path[path.length - 1]] = replacement;
            const result = validateManifest(manifest);
            expectWellFormed(result);
            // Through text or as a value, the verdict is the same.
            expect(validateManifest(JSON.stringify(manifest)).ok).toBe(
              result.ok,
            );
          },
        ),
        { numRuns: 300 },
      ),
    ).toBeUndefined();
  });

  it('turns 100 000 levels of brackets into one problem, quickly', () => {
    const text = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const { value: result, ms } = timed(() => validateManifest(text));
    expect(result).toEqual({
      ok: false,
      problems: [
        expect.objectContaining({
          message: 'nesting is deeper than 32 levels (line 1, column 33)',
        }),
      ],
    });
    expect(ms).toBeLessThan(1000);
  });

  it('turns 100 000 levels of objects given as a value into one problem', () => {
    let value: unknown = {};
    for (let i = 0; i < 100_000; i++) value = { a: value };
    const { value: result, ms } = timed(() => validateManifest(value));
    expect(result).toEqual({
      ok: false,
      problems: [
        expect.objectContaining({
          message: 'nesting is deeper than 32 levels',
        }),
      ],
    });
    expect(ms).toBeLessThan(1000);
  });

  it('refuses a cyclic value without looping', () => {
    const value: Record<string, unknown> = { apiVersion: 'khal.ai/v1' };
    value.self = value;
    const result = validateManifest(value);
    expect(result.ok).toBe(false);
  });

  it('refuses a 5 MB string before parsing it', () => {
    const text = `{"description": "${'x'.repeat(5 * 1024 * 1024)}"}`;
    const { value: result, ms } = timed(() => validateManifest(text));
    expect(result).toEqual({
      ok: false,
      problems: [
        expect.objectContaining({
          path: '$',
          message: 'the text is larger than 262144 bytes',
        }),
      ],
    });
    expect(ms).toBeLessThan(1000);
  });

  it('refuses a 5 MB value and a huge sparse array without walking all of it', () => {
    const big = validateManifest({ description: 'x'.repeat(5 * 1024 * 1024) });
    expect(big.ok ? [] : big.problems.map(p => p.message)).toEqual([
      'the manifest is larger than 262144 bytes of JSON',
    ]);
    const { value: sparse, ms } = timed(() =>
      validateManifest({ env: new Array(1e9) }),
    );
    expect(sparse.ok ? [] : sparse.problems.map(p => p.message)).toEqual([
      'the manifest is larger than 262144 bytes of JSON',
    ]);
    expect(ms).toBeLessThan(1000);
  });

  it('stays fast on a dense, wide manifest just under the limit', () => {
    const env = Array.from({ length: 1900 }, (_, i) => ({
      name: `SETTING_${i}`,
      default: 'x'.repeat(40),
      enum: ['x'.repeat(40)],
    }));
    const manifest = { ...designExample(), env };
    const text = JSON.stringify(manifest);
    expect(text.length).toBeGreaterThan(200 * 1024);
    expect(text.length).toBeLessThan(256 * 1024);
    const { value: result, ms } = timed(() => validateManifest(text));
    expect(result.ok).toBe(true);
    expect(ms).toBeLessThan(2000);
  });
});
