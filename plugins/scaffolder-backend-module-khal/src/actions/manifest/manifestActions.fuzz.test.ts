/*
 * Property-based fuzzing (fast-check) of khal:manifest:validate and khal:manifest:create: hostile
 * manifests (mutated valid ones, `__proto__`/`constructor` keys, control characters, deep
 * nesting, huge and truncated text) and hostile paths. Each run ends in one of two ways: the
 * manifest is valid, or the step fails with an InputError that names every problem by JSON path
 * with a fix — never a TypeError/RangeError, a write outside the workspace, a partial file, or a
 * polluted Object.prototype.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { validateManifest } from '@khal/plugin-ladder-common';
import { createManifestCreateAction } from './createManifest';
import { createManifestValidateAction } from './validateManifest';

const RUNS = 60;
const SEED = process.env.LADDER_FUZZ_SEED
  ? Number(process.env.LADDER_FUZZ_SEED)
  : undefined;
const params = (offset: number) => ({
  numRuns: RUNS,
  ...(SEED !== undefined ? { seed: SEED + offset } : {}),
});

const validManifest = {
  apiVersion: 'khal.ai/v1',
  name: 'orders-api',
  title: 'Orders API',
  owner: 'group:default/team-orders',
  runtime: {
    kind: 'node',
    start: 'node dist/index.js',
    port: 8080,
    health: '/healthz',
  },
  env: [
    { name: 'DATABASE_URL', required: true, secret: true },
    {
      name: 'LOG_LEVEL',
      required: false,
      default: 'info',
      enum: ['debug', 'info'],
    },
  ],
  deploy: { kubernetes: { id: 'orders-api', chart: 'deploy/chart' } },
};

const hostileString = fc.oneof(
  fc.constantFrom(
    '',
    '\u0000',
    '\u001b[2J',
    'line\r\nnext',
    '../../etc/passwd',
    '/etc/passwd',
    '__proto__',
    'constructor',
    'DATABASE_URL',
    'lower_case',
    '😀'.repeat(100),
    'x'.repeat(20_000),
    'http://169.254.169.254/latest/meta-data/',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
);
const hostileValue: fc.Arbitrary<unknown> = fc.letrec(tie => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(
      fc.oneof(
        hostileString,
        fc.constantFrom('__proto__', 'constructor', 'prototype'),
      ),
      tie('value'),
      {
        maxKeys: 3,
      },
    ),
  ),
})).value;

/** JSON paths into the valid manifest, to replace, drop or extend. */
const paths = [
  ['apiVersion'],
  ['name'],
  ['title'],
  ['owner'],
  ['runtime'],
  ['runtime', 'kind'],
  ['runtime', 'port'],
  ['runtime', 'health'],
  ['env'],
  ['env', '0'],
  ['env', '0', 'name'],
  ['env', '0', 'secret'],
  ['env', '1', 'default'],
  ['env', '1', 'enum'],
  ['env', '2'],
  ['deploy', 'kubernetes', 'id'],
  ['__proto__'],
  ['constructor'],
  ['env', '0', '__proto__'],
  ['extra'],
];

/** Manifest text: a valid manifest with edits, or text that is not one at all. */
const manifestText: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .array(
        fc.record({
          at: fc.constantFrom(...paths),
          value: fc.option(hostileValue, { nil: undefined }),
        }),
        { minLength: 1, maxLength: 4 },
      )
      .map(edits => {
        const m: any = JSON.parse(JSON.stringify(validManifest));
        for (const { at, value } of edits) {
          let node = m;
          for (const key of at.slice(0, -1)) {
            if (node === null || typeof node !== 'object') break;
            if (!Object.prototype.hasOwnProperty.call(node, key)) {
              Object.defineProperty(node, key, {
                value: {},
                enumerable: true,
                writable: true,
                configurable: true,
              });
            }
            node = node[key];
          }
          if (node === null || typeof node !== 'object') continue;
          const last = at[at.length - 1];
          if (value === undefined) delete node[last];
          else
            Object.defineProperty(node, last, {
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
    arbitrary: fc
      .integer({ min: 1, max: 400 })
      .map(n => JSON.stringify(validManifest, null, 2).slice(0, n)),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      `\ufeff${JSON.stringify(validManifest)}`,
      `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
      `{"__proto__":{"polluted":true},${JSON.stringify(validManifest).slice(
        1,
      )}`,
      JSON.stringify({ ...validManifest, title: 'x'.repeat(2_000_000) }),
      JSON.stringify({
        ...validManifest,
        env: Array.from({ length: 5000 }, (_, i) => ({ name: `S_${i}` })),
      }),
    ),
  },
);

const polluted = () =>
  ['polluted', 'isAdmin', 'name', 'secret'].filter(
    k => (({} as any)[k] !== undefined),
  );

/** The error of a failed step, checked to be a problem list (or undefined when it passed). */
async function outcome(run: () => Promise<void>): Promise<Error | undefined> {
  try {
    await run();
    return undefined;
  } catch (error) {
    return error as Error;
  }
}
const problemLines = (message: string) => message.split('\n').slice(1);

describe('khal:manifest:validate on fuzzed manifests', () => {
  const workspace = createMockDirectory();
  const action = createManifestValidateAction();
  const ctx = (input: Record<string, unknown>) =>
    createMockActionContext({
      workspacePath: workspace.path,
      input: input as any,
    });

  it('says valid, or fails naming each problem by JSON path with a fix', async () => {
    await fc.assert(
      fc.asyncProperty(
        manifestText,
        fc.boolean(),
        async (text, failOnProblems) => {
          workspace.setContent({ 'khal-app.json': text });
          const context = ctx({ failOnProblems });
          const error = await outcome(() => action.handler(context));
          const expected = validateManifest(text);
          const outputs = Object.fromEntries(
            (context.output as jest.Mock).mock.calls,
          );
          const problems: Array<{
            path: string;
            message: string;
            fix: string;
          }> = outputs.problems;
          const failed = !expected.ok && failOnProblems;
          expect({
            valid: outputs.valid,
            hasProblems: problems.length > 0,
            everyProblemNamesPathAndFix: problems.every(
              p => p.path.startsWith('$') && p.message !== '' && p.fix !== '',
            ),
            error: error?.name ?? null,
            errorListsEachProblem: error
              ? /^khal-app\.json has \d+ problems?:/.test(error.message) &&
                problemLines(error.message).every(l => l.startsWith('$'))
              : null,
          }).toEqual({
            valid: expected.ok,
            hasProblems: !expected.ok,
            everyProblemNamesPathAndFix: true,
            error: failed ? 'InputError' : null,
            errorListsEachProblem: failed ? true : null,
          });
          expect(polluted()).toEqual([]);
        },
      ),
      params(0),
    );
  });

  it('refuses paths that leave the workspace, naming the input, and reads nothing there', async () => {
    const outside = createMockDirectory();
    outside.setContent({ 'khal-app.json': JSON.stringify(validManifest) });
    const escape = fc.constantFrom(
      '../khal-app.json',
      '../../../../etc/passwd',
      path.join(outside.path, 'khal-app.json'),
      'app/../../khal-app.json',
      'link/khal-app.json',
      'khal-app.json\u0000.txt',
      '..\\..\\khal-app.json',
    );
    await fc.assert(
      fc.asyncProperty(escape, async relative => {
        workspace.clear();
        fs.symlinkSync(outside.path, path.join(workspace.path, 'link'));
        const context = ctx({ path: relative });
        const error = await outcome(() => action.handler(context));
        expect(error?.name).toBe('InputError');
        expect(error?.message).toMatch(/path/);
        // Nothing was validated, so nothing was said about the file outside.
        expect(context.output).not.toHaveBeenCalled();
      }),
      { numRuns: 14 },
    );
  });
});

describe('khal:manifest:create on fuzzed inputs', () => {
  const workspace = createMockDirectory();
  const action = createManifestCreateAction();

  const setting = fc.record(
    {
      name: fc.oneof(
        fc.constantFrom('DATABASE_URL', 'LOG_LEVEL', 'API_KEY'),
        hostileString,
      ),
      description: hostileString,
      required: fc.boolean(),
      secret: fc.boolean(),
      default: hostileString,
      enum: fc.array(hostileString, { maxLength: 3 }),
    },
    { requiredKeys: ['name'] },
  );
  const inputs = fc.record(
    {
      name: fc.oneof(fc.constantFrom('orders-api', 'a'), hostileString),
      title: hostileString,
      owner: fc.oneof(fc.constant('group:default/team-orders'), hostileString),
      description: hostileString,
      runtime: fc.record(
        {
          kind: fc.oneof(fc.constant('node'), hostileString),
          start: hostileString,
          port: fc.oneof(
            fc.integer({ min: -10, max: 70000 }),
            fc.constant(8080),
          ),
          health: hostileString,
        },
        { requiredKeys: ['kind', 'start'] },
      ),
      settings: fc.array(setting, { maxLength: 4 }),
      kubernetesId: hostileString,
      chart: hostileString,
    },
    { requiredKeys: ['name', 'title', 'owner', 'runtime'] },
  );

  it('writes a manifest that validates, or fails naming the problems and writes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(inputs, async input => {
        workspace.clear();
        const context = createMockActionContext({
          workspacePath: workspace.path,
          input: input as any,
        });
        const error = await outcome(() => action.handler(context));
        const file = path.join(workspace.path, 'khal-app.json');
        const written = fs.existsSync(file)
          ? fs.readFileSync(file, 'utf8')
          : undefined;
        expect({
          error: error?.name ?? null,
          errorListsEachProblem: error
            ? /^The khal-app\.json built from the inputs has \d+ problems?:/.test(
                error.message,
              ) && problemLines(error.message).every(l => l.startsWith('$'))
            : null,
          // Nothing is written when the step fails; what is written validates as it is.
          files: fs.readdirSync(workspace.path).length,
          writtenIsValid:
            written === undefined ? null : validateManifest(written).ok,
          writtenName: written === undefined ? null : JSON.parse(written).name,
        }).toEqual({
          error: error ? 'InputError' : null,
          errorListsEachProblem: error ? true : null,
          files: error ? 0 : 1,
          writtenIsValid: error ? null : true,
          writtenName: error ? null : input.name,
        });
        expect(polluted()).toEqual([]);
      }),
      params(10),
    );
  });

  it('refuses a __proto__ setting key without polluting anything', async () => {
    workspace.clear();
    const input = JSON.parse(
      '{"name":"orders-api","title":"Orders","owner":"group:default/team-orders","runtime":{"kind":"node","start":"node ."},"settings":[{"name":"LOG_LEVEL","__proto__":{"polluted":true,"secret":true}}]}',
    );
    const context = createMockActionContext({
      workspacePath: workspace.path,
      input,
    });
    const error = await outcome(() => action.handler(context));
    expect(polluted()).toEqual([]);
    // The key reaches the manifest as an own (unknown) key, and the manifest schema names it.
    expect(error?.name).toBe('InputError');
    expect(error?.message).toMatch(/\$\.env\[0\]/);
    expect(error?.message).toMatch(/__proto__/);
    expect(fs.readdirSync(workspace.path)).toEqual([]);
  });
});
