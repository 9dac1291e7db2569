// Browser tests: starts the portal on a throw-away embedded default (its own SQLite directory
// and git repos), runs the Playwright suite in test/e2e against Chromium, then stops everything.
// Artifacts for scripts/scan-leaks.mjs: every process's output in test-results/logs/*.log, the
// Playwright report in test-results/playwright.json, screenshots with their page text, and
// test-results/e2e-run.json naming the throw-away database (kept until the leak scan deletes it).
import { spawn } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  root,
  run,
  demoKubeDir,
  demoKubeconfig,
  runDemoClusters,
  stop,
  waitForUrl,
} from './lib/processes.mjs';

// The suite runs its own portal on the standard ports; a portal already running there would
// silently answer instead of the throw-away one.
const net = await import('node:net');
for (const port of [3000, 7007, 7101, 7102, 7103]) {
  const busy = await new Promise(resolve => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
  if (busy) {
    console.error(
      `[e2e] port ${port} is already in use (a running portal, simulator or benchmark?); stop it and run again.`,
    );
    process.exit(1);
  }
}

// Fresh artifacts: what the scanner finds must come from this run. The previous run's database,
// if no scan deleted it, goes too.
const results = join(root, 'test-results');
const runFile = join(results, 'e2e-run.json');
if (existsSync(runFile)) {
  const previous = JSON.parse(readFileSync(runFile, 'utf8')).scratch;
  if (previous?.includes('khal-e2e-'))
    rmSync(previous, { recursive: true, force: true });
}
for (const old of [
  'logs',
  'screenshots',
  'api-responses',
  'e2e',
  'playwright.json',
  'e2e-run.json',
])
  rmSync(join(results, old), { recursive: true, force: true });
const logsDir = join(results, 'logs');
mkdirSync(logsDir, { recursive: true });
const logFiles = {};
/** Writes a process's output (stdout and stderr, in order) to test-results/logs/<name>.log. */
function logTo(name) {
  const file = join(logsDir, `${name}.log`);
  const stream = createWriteStream(file);
  logFiles[name] = { file, stream, lines: 0 };
  return line => {
    logFiles[name].lines++;
    stream.write(`${line}\n`);
  };
}

const scratch = mkdtempSync(join(tmpdir(), 'khal-e2e-'));
writeFileSync(
  runFile,
  `${JSON.stringify(
    {
      scratch,
      sqliteDirectory: join(scratch, 'sqlite'),
      startedAt: new Date().toISOString(),
    },
    null,
    2,
  )}\n`,
);
process.env.KHAL_REPOS_DIR = join(scratch, 'repos');
const { ensureDemoRepos } = await import('./demo-repos.mjs');
const { seedDemo } = await import('./seed-demo.mjs');
mkdirSync(join(scratch, 'sqlite'), { recursive: true });
ensureDemoRepos();
/**
 * Apps the browser tests scaffold are registered under the scratch directory, not the workspace's
 * data/catalog (where they would outlive the run): khal.localCatalog.root and the catalog's file
 * location for it point there. Config arrays replace, so the other locations are listed again.
 */
function scaffoldedCatalog(dir) {
  mkdirSync(dir, { recursive: true });
  const locations = [
    ['../../demo/catalog/org.yaml', 'User, Group'],
    ['../../catalog-info.yaml', null],
    ['../../templates/khal-node-app/template.yaml', 'Template'],
    [join(dir, '*', 'catalog-info.yaml'), 'Component'],
  ]
    .map(
      ([target, allow]) =>
        `    - type: file\n      target: ${target}\n${
          allow ? `      rules:\n        - allow: [${allow}]\n` : ''
        }`,
    )
    .join('');
  return `khal:\n  localCatalog:\n    root: ${dir}\ncatalog:\n  locations:\n${locations}`;
}
const overrides = join(scratch, 'app-config.e2e.yaml');
writeFileSync(
  overrides,
  `backend:\n  database:\n    client: better-sqlite3\n    connection:\n      directory: ${join(
    scratch,
    'sqlite',
  )}\nladder:\n  localRepositoriesRoot: ${join(
    scratch,
    'repos',
  )}\n  recheckInterval: { seconds: 2 }\n${scaffoldedCatalog(join(scratch, 'catalog'))}`,
);
const configArgs = [
  '--config',
  join(root, 'app-config.yaml'),
  '--config',
  overrides,
];

const children = [runDemoClusters({ quiet: true, onLine: logTo('clusters') })];
// The backend trusts the clusters' CA file (app-config.yaml caFile): it exists once they listen.
await children[0].started;
const cli = join(root, 'node_modules', '.bin', 'backstage-cli');
const logs = [];
const backendLog = logTo('backend');
// The backend runs from its sources without the CLI's file watcher (as the benchmark does): an
// edit elsewhere in the repo must not restart it in the middle of the run.
children.push(
  run(
    'backend',
    process.execPath,
    [
      '--enable-source-maps',
      '--require',
      createRequire(import.meta.url).resolve(
        '@backstage/cli-node/config/nodeTransform.cjs',
      ),
      'src/index',
      ...configArgs,
    ],
    {
      cwd: join(root, 'packages', 'backend'),
      env: {
        NODE_ENV: 'development',
        ESBK_TSCONFIG_PATH: join(root, 'tsconfig.json'),
      },
      quiet: true,
      onLine: l => {
        logs.push(l);
        backendLog(l);
      },
    },
  ),
);
children.push(
  run('app', cli, ['package', 'start', ...configArgs], {
    cwd: join(root, 'packages', 'app'),
    quiet: true,
    env: { BROWSER: 'none' },
    onLine: logTo('app'),
  }),
);

/** The demo clusters' CA plus the extra CAs already configured for Node, as one file. */
function extraCaBundle() {
  const demoCa = readFileSync(join(demoKubeDir, 'ca.crt'), 'utf8');
  const inherited = process.env.NODE_EXTRA_CA_CERTS;
  if (!inherited || !existsSync(inherited)) return join(demoKubeDir, 'ca.crt');
  const bundle = join(scratch, 'extra-ca-certs.pem');
  writeFileSync(bundle, `${readFileSync(inherited, 'utf8').trimEnd()}\n${demoCa}`);
  return bundle;
}

/** Runs Playwright, echoing its output and keeping a copy in test-results/logs/playwright.log. */
function playwright() {
  const log = logTo('playwright');
  return new Promise((resolve, reject) => {
    const child = spawn(
      join(root, 'node_modules', '.bin', 'playwright'),
      [
        'test',
        '--config',
        join(root, 'test', 'e2e', 'playwright.config.ts'),
        '--reporter=list,json',
        // e.g. `node scripts/e2e.mjs secrets.spec.ts` runs one spec file
        ...process.argv.slice(2),
      ],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          KHAL_E2E_SCRATCH: scratch,
          // The specs talk to the simulated clusters over https: trust their demo CA, besides any
          // extra CAs this machine already gives Node (an egress proxy's: npm install in the
          // walk spec goes through it).
          NODE_EXTRA_CA_CERTS: extraCaBundle(),
          // The same kubeconfig `khal deploy` hands to kubectl in the embedded default.
          KUBECONFIG: demoKubeconfig,
          PLAYWRIGHT_JSON_OUTPUT_NAME: join(results, 'playwright.json'),
        },
      },
    );
    for (const [stream, out] of [
      [child.stdout, process.stdout],
      [child.stderr, process.stderr],
    ]) {
      let buffered = '';
      stream.on('data', chunk => {
        out.write(chunk);
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop();
        lines.forEach(log);
      });
      stream.on('end', () => buffered && log(buffered));
    }
    child.on('error', reject);
    child.on('exit', code =>
      code === 0
        ? resolve()
        : reject(new Error(`playwright exited with code ${code}`)),
    );
  });
}

let code = 1;
try {
  await waitForUrl('http://localhost:7007/.backstage/health/v1/readiness', {
    timeoutMs: 300_000,
  });
  console.log(
    `[e2e] backend ready; seeding: ${await seedDemo({
      baseUrl: 'http://localhost:7007',
    })}`,
  );
  await waitForUrl('http://localhost:3000', { timeoutMs: 420_000 });
  console.log('[e2e] frontend ready');
  await playwright();
  code = 0;
} catch (e) {
  console.error(`[e2e] ${e.message}`);
  console.error(`[e2e] last backend log lines:\n${logs.slice(-40).join('\n')}`);
} finally {
  await Promise.all(children.map(stop));
  await Promise.all(
    Object.values(logFiles).map(
      ({ stream }) => new Promise(resolve => stream.end(resolve)),
    ),
  );
  console.log(
    `[e2e] logs: ${Object.entries(logFiles)
      .map(([name, { lines }]) => `${name} ${lines} lines`)
      .join(', ')} in ${logsDir}; database kept for the leak scan in ${join(
      scratch,
      'sqlite',
    )}`,
  );
}
process.exit(code);
