/*
 * Property-based fuzzing (fast-check) of `khal manifest validate`, run as a child process the way
 * a person or a script runs it. Hostile manifests (mutated valid ones, `__proto__` keys, control
 * characters, deep nesting, truncated and huge text) and hostile paths. Each run exits 0 (valid)
 * or 1 (problems, each naming its JSON path and a fix), or 2 for a file that cannot be read —
 * never a crash or a stack trace — and never echoes a raw terminal escape from the file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import {
  formatManifestProblems,
  validateManifest,
} from '@khal/plugin-ladder-common';
import { ExitCode } from '../exitCodes';
import { readAppManifest } from '../workspace/appManifest';
import { validManifest } from '../testing/fixtures';
import { runKhal } from '../testing/runKhal';

jest.setTimeout(60_000);

const SEED = process.env.LADDER_FUZZ_SEED
  ? Number(process.env.LADDER_FUZZ_SEED)
  : undefined;
const params = (numRuns: number, offset: number) => ({
  numRuns,
  ...(SEED !== undefined ? { seed: SEED + offset } : {}),
});

const hostileString = fc.oneof(
  fc.constantFrom(
    '',
    '\u0000',
    '\u001b[2J\u001b[31mred',
    '\u001b]0;title\u0007',
    'line\r\nnext',
    '../../etc/passwd',
    '__proto__',
    'lower_case',
    'x'.repeat(10_000),
  ),
  fc.string({ unit: 'binary', maxLength: 30 }),
);
const hostileValue: fc.Arbitrary<unknown> = fc.letrec(tie => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(
      fc.oneof(hostileString, fc.constant('__proto__')),
      tie('value'),
      { maxKeys: 3 },
    ),
  ),
})).value;
const fields = [
  'apiVersion',
  'name',
  'title',
  'owner',
  'runtime',
  'env',
  'deploy',
  '__proto__',
  'extra',
];

const manifestText: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .array(
        fc.record({
          key: fc.constantFrom(...fields),
          value: fc.option(hostileValue, { nil: undefined }),
        }),
        {
          minLength: 1,
          maxLength: 3,
        },
      )
      .map(edits => {
        const m: Record<string, unknown> = JSON.parse(
          JSON.stringify(validManifest),
        );
        for (const { key, value } of edits) {
          if (value === undefined) delete m[key];
          else
            Object.defineProperty(m, key, {
              value,
              enumerable: true,
              writable: true,
              configurable: true,
            });
        }
        return JSON.stringify(m);
      }),
  },
  { weight: 1, arbitrary: fc.json() },
  { weight: 1, arbitrary: hostileString },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      JSON.stringify(validManifest),
      JSON.stringify(validManifest).slice(0, 57),
      `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
      `{"__proto__":{"polluted":true},${JSON.stringify(validManifest).slice(
        1,
      )}`,
      JSON.stringify({ ...validManifest, title: 'x'.repeat(3_000_000) }),
    ),
  },
);

describe('khal manifest validate on fuzzed manifests', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'khal-fuzz-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  // Many cases in-process through what the command runs (reading, validating, formatting) …
  it('reads any file into a valid manifest or problems it can print safely', () => {
    let n = 0;
    fc.assert(
      fc.property(manifestText, text => {
        const file = path.join(dir, `read-${n++}.json`);
        fs.writeFileSync(file, text);
        const reading = readAppManifest(file);
        const problems = reading.found && !reading.ok ? reading.problems : [];
        const printed = formatManifestProblems(problems);
        expect(reading.found).toBe(true);
        expect(printed).not.toContain('\u001b');
        expect(
          problems.length === 0 ||
            printed.split('\n').every(line => line.startsWith('$')),
        ).toBe(true);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      params(200, 50),
    );
  });

  // … and a few end to end, as a process (each run starts Node, so they are few).
  it('exits 0 for a valid manifest, 1 naming each problem, never crashing', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(manifestText, fc.boolean(), async (text, json) => {
        const file = path.join(dir, `case-${n++}.json`);
        fs.writeFileSync(file, text);
        const expected = validateManifest(text);
        const run = await runKhal([
          'manifest',
          'validate',
          file,
          ...(json ? ['--json'] : []),
        ]);
        expect(run.stderr).not.toMatch(/TypeError|RangeError|at .*\.js:\d+/);
        expect(run.code).toBe(expected.ok ? ExitCode.Ok : ExitCode.Failed);
        // A manifest cannot drive the terminal: no escape sequence from the file reaches it.
        expect(run.stdout).not.toContain('\u001b');
        const out = json ? JSON.parse(run.stdout) : undefined;
        expect({
          ok: out ? out.ok : !/problem\(s\)/.test(run.stdout),
          problemsNamePathAndFix: out
            ? out.problems.every(
                (p: { path: string; fix: string }) =>
                  p.path.startsWith('$') && p.fix !== '',
              )
            : expected.ok || /^\$/m.test(run.stdout),
        }).toEqual({ ok: expected.ok, problemsNamePathAndFix: true });
      }),
      params(6, 0),
    );
  });

  it('exits 2 naming a file it cannot read, whatever the path', async () => {
    fs.mkdirSync(path.join(dir, 'empty'), { recursive: true });
    const unreadable = fc.constantFrom(
      path.join(dir, 'missing.json'),
      path.join(dir, 'empty'),
      path.join(dir, '..', '..', '..', 'no', 'such', 'dir'),
      'does/not/exist/../../../nowhere.json',
      '-not-a-flag.json',
    );
    await fc.assert(
      fc.asyncProperty(unreadable, async target => {
        const run = await runKhal(['manifest', 'validate', '--', target], {
          cwd: dir,
        });
        expect(run.code).toBe(ExitCode.Usage);
        expect(run.stderr).toMatch(/cannot read .+/);
        expect(run.stderr).not.toMatch(/TypeError|at .*\.js:\d+/);
      }),
      params(3, 100),
    );
  });
});
