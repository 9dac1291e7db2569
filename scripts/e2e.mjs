// Browser tests: starts the portal on a throw-away embedded default (its own SQLite directory
// and git repos), runs the Playwright suite in test/e2e against Chromium, then stops everything.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  root,
  run,
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

const scratch = mkdtempSync(join(tmpdir(), 'khal-e2e-'));
process.env.KHAL_REPOS_DIR = join(scratch, 'repos');
const { ensureDemoRepos } = await import('./demo-repos.mjs');
const { seedDemo } = await import('./seed-demo.mjs');
mkdirSync(join(scratch, 'sqlite'), { recursive: true });
ensureDemoRepos();
const overrides = join(scratch, 'app-config.e2e.yaml');
writeFileSync(
  overrides,
  `backend:\n  database:\n    client: better-sqlite3\n    connection:\n      directory: ${join(
    scratch,
    'sqlite',
  )}\nladder:\n  localRepositoriesRoot: ${join(
    scratch,
    'repos',
  )}\n  recheckInterval: { seconds: 2 }\n`,
);
const configArgs = [
  '--config',
  join(root, 'app-config.yaml'),
  '--config',
  overrides,
];

const children = [runDemoClusters({ quiet: true })];
const cli = join(root, 'node_modules', '.bin', 'backstage-cli');
const logs = [];
children.push(
  run('backend', cli, ['package', 'start', ...configArgs], {
    cwd: join(root, 'packages', 'backend'),
    quiet: true,
    onLine: l => logs.push(l),
  }),
);
children.push(
  run('app', cli, ['package', 'start', ...configArgs], {
    cwd: join(root, 'packages', 'app'),
    quiet: true,
    env: { BROWSER: 'none' },
  }),
);

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
  execFileSync(
    join(root, 'node_modules', '.bin', 'playwright'),
    ['test', '--config', join(root, 'test', 'e2e', 'playwright.config.ts')],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, KHAL_E2E_SCRATCH: scratch },
    },
  );
  code = 0;
} catch (e) {
  console.error(`[e2e] ${e.message}`);
  console.error(`[e2e] last backend log lines:\n${logs.slice(-40).join('\n')}`);
} finally {
  await Promise.all(children.map(stop));
}
process.exit(code);
