// Installs the workspace's dependencies when they are missing or older than the lockfile.
// Runs before `npm start`, `npm test` and `npm run bench`, so a fresh clone needs no extra step.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(
    `Khal Ladder needs Node 22 or 24; this is Node ${process.versions.node}.\n` +
      `Fix: install Node 22 (see .nvmrc), or run \`source scripts/node22.sh\` to use a local Node 22 from the npm registry.`,
  );
  process.exit(1);
}

const marker = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');
const fresh =
  existsSync(marker) &&
  existsSync(lock) &&
  statSync(marker).mtimeMs >= statSync(lock).mtimeMs;
if (!fresh) {
  // Native addons (better-sqlite3) compile against the running Node's own headers.
  const nodeDir = dirname(dirname(process.execPath));
  const env = { ...process.env };
  if (existsSync(join(nodeDir, 'include', 'node', 'node.h')))
    env.npm_config_nodedir = nodeDir;
  // `npm install` rather than `npm ci`: it follows package-lock.json too, but tolerates the
  // platform-specific optional packages (e.g. @swc/core-darwin-*) that the registry does not serve
  // here and that npm therefore leaves out of the lockfile.
  console.log(
    'Installing dependencies (npm install; about 5 minutes on a cold cache)…',
  );
  execFileSync('npm', ['install', '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: 'inherit',
    env,
  });
}
