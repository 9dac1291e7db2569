// `npm test`: typecheck, lint, unit and store tests (SQLite and PostgreSQL), the production
// bundle as two replicas (test/prod), the browser tests,
// then the leak scan of everything they left (logs, page text, reports, database).
// Fails loudly when a required part (PostgreSQL, Chromium) is missing instead of skipping it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureInstall } from './ensure-install.mjs';
import { runOnPinnedNode } from './lib/pinnedNode.mjs';
import { root } from './lib/processes.mjs';

// On an older PATH node: re-run under the pinned one (npx, jest and the portal follow it).
await runOnPinnedNode();
ensureInstall();

// Jest under backstage-cli watches unless CI is set.
process.env.CI ??= 'true';
const PG_VAR = 'BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING';
process.env[PG_VAR] ??= 'postgresql://postgres@127.0.0.1:5432';
process.env.CHROMIUM_PATH ??= '/usr/bin/chromium';

function requirePostgres() {
  const url = new URL(process.env[PG_VAR]);
  const probe = spawnSync(process.execPath, [
    '-e',
    `const net=require('net');const s=net.connect(${Number(
      url.port || 5432,
    )},${JSON.stringify(
      url.hostname,
    )});s.on('connect',()=>process.exit(0));s.on('error',()=>process.exit(1));setTimeout(()=>process.exit(1),3000)`,
  ]);
  if (probe.status !== 0) {
    console.error(
      `PostgreSQL is required for the store tests but ${url.host} does not answer.\nFix: start PostgreSQL 15+ there, or point ${PG_VAR} at one.`,
    );
    process.exit(1);
  }
}
function requireChromium() {
  if (!existsSync(process.env.CHROMIUM_PATH)) {
    console.error(
      `Chromium is required for the browser tests but ${process.env.CHROMIUM_PATH} does not exist.\nFix: apt-get install -y chromium, or set CHROMIUM_PATH.`,
    );
    process.exit(1);
  }
}

const only = process.argv.slice(2);
const steps = [
  [
    'typecheck',
    () =>
      execFileSync('npx', ['tsc', '--noEmit'], { cwd: root, stdio: 'inherit' }),
  ],
  [
    'lint',
    () => {
      // The files generated from the OpenAPI contract must be what it generates now.
      execFileSync(
        process.execPath,
        [join(root, 'scripts', 'schema-generate.mjs'), '--check'],
        {
          cwd: root,
          stdio: 'inherit',
        },
      );
      execFileSync('npx', ['backstage-cli', 'repo', 'lint'], {
        cwd: root,
        stdio: 'inherit',
      });
      // No import circles in the sources (type-only imports count too: a circle of types is
      // fixed by moving the types to a module of their own).
      execFileSync(
        'npx',
        [
          'dpdm',
          '--no-warning',
          '--no-tree',
          '--exit-code',
          'circular:1',
          '--extensions',
          '.ts,.tsx',
          'plugins/*/src/**/*.ts',
          'plugins/*/src/**/*.tsx',
          'packages/*/src/**/*.ts',
          'packages/*/src/**/*.tsx',
        ],
        { cwd: root, stdio: 'inherit' },
      );
    },
  ],
  [
    'unit',
    () => {
      requirePostgres();
      mkdirSync(join(root, 'test-results'), { recursive: true });
      const out = join(root, 'test-results', 'jest.json');
      const res = spawnSync(
        'npx',
        [
          'backstage-cli',
          'repo',
          'test',
          '--ci',
          '--json',
          `--outputFile=${out}`,
        ],
        {
          cwd: root,
          stdio: 'inherit',
          // Jest workers run many suites each; the redaction suite's 1 MB adversarial inputs ran a
          // worker out of Node's default heap in a full CI run (2 cores, 24 GiB machine).
          env: {
            ...process.env,
            NODE_OPTIONS: `${
              process.env.NODE_OPTIONS ?? ''
            } --max-old-space-size=6144`.trim(),
          },
        },
      );
      const report = JSON.parse(readFileSync(out, 'utf8'));
      const pgCases = report.testResults
        .flatMap(f => f.assertionResults)
        .filter(
          a => /POSTGRES/.test(a.fullName) && a.status === 'passed',
        ).length;
      console.log(`PostgreSQL store cases passed: ${pgCases}`);
      if (res.status !== 0) throw new Error('unit tests failed');
      if (pgCases === 0)
        throw new Error(
          `no PostgreSQL test case ran; is ${PG_VAR} reaching a server?`,
        );
    },
  ],
  [
    'prod',
    () => {
      // The production bundle, two replicas on one PostgreSQL, one promotion across both.
      requirePostgres();
      execFileSync(process.execPath, [join(root, 'test', 'prod', 'replicas.mjs')], {
        cwd: root,
        stdio: 'inherit',
      });
      // The packages as another app installs them (packed from the build above).
      execFileSync(process.execPath, [join(root, 'test', 'prod', 'pack.mjs')], {
        cwd: root,
        stdio: 'inherit',
      });
    },
  ],
  [
    'e2e',
    () => {
      requireChromium();
      execFileSync(process.execPath, [join(root, 'scripts', 'e2e.mjs')], {
        cwd: root,
        stdio: 'inherit',
      });
    },
  ],
  [
    'leaks',
    () => {
      // First prove the scanner fails on a planted secret, then scan the browser-test run.
      execFileSync(
        process.execPath,
        [
          '--test',
          '--test-reporter=spec',
          join(root, 'scripts', 'scan-leaks.test.mjs'),
        ],
        { cwd: root, stdio: 'inherit' },
      );
      execFileSync(
        process.execPath,
        [join(root, 'scripts', 'scan-leaks.mjs')],
        {
          cwd: root,
          stdio: 'inherit',
        },
      );
    },
  ],
];

const unknown = only.filter(name => !steps.some(([step]) => step === name));
if (unknown.length) {
  console.error(
    `Unknown step ${unknown.join(', ')}; the steps are ${steps
      .map(([step]) => step)
      .join(', ')} (\`npm test -- unit lint\` runs two).`,
  );
  process.exit(2);
}

let failed = 0;
for (const [name, step] of steps) {
  if (only.length && !only.includes(name)) continue;
  console.log(`\n=== ${name} ===`);
  const t0 = Date.now();
  try {
    step();
    console.log(`=== ${name}: ok (${Math.round((Date.now() - t0) / 1000)}s)`);
  } catch (e) {
    failed++;
    console.error(`=== ${name}: FAILED (${e.message})`);
    break;
  }
}
process.exit(failed ? 1 : 0);
