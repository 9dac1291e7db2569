// Installs the workspace's dependencies, exactly as package-lock.json pins them (`npm ci`), when
// node_modules is missing or does not hold what the lockfile names. `npm start`, `npm test` and
// `npm run bench` call it, so a fresh clone needs no extra step, and the lockfile is never
// rewritten (the tree stays clean). Runs under the pinned Node (see lib/pinnedNode.mjs).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runOnPinnedNode } from './lib/pinnedNode.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Whether node_modules holds what package-lock.json names: npm's record of the installed tree
 * (node_modules/.package-lock.json) has every package of the lockfile at the same version (an
 * optional package may be absent: it is for another platform), and nothing else.
 */
export function installMatchesLockfile(dir = root) {
  const installed = join(dir, 'node_modules', '.package-lock.json');
  if (!existsSync(installed)) return false;
  const want = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'))
    .packages;
  const have = JSON.parse(readFileSync(installed, 'utf8')).packages ?? {};
  for (const [path, pkg] of Object.entries(want)) {
    if (path === '') continue;
    if (!have[path]) {
      if (pkg.optional) continue;
      return false;
    }
    if (have[path].version !== pkg.version) return false;
  }
  return Object.keys(have).every(path => path in want);
}

export function ensureInstall() {
  if (installMatchesLockfile()) return;
  // Native addons (better-sqlite3) compile against the running Node's own headers.
  const nodeDir = dirname(dirname(process.execPath));
  const env = { ...process.env };
  if (existsSync(join(nodeDir, 'include', 'node', 'node.h')))
    env.npm_config_nodedir = nodeDir;
  console.log(
    'Installing dependencies as package-lock.json pins them (npm ci; about 5 minutes on a cold cache)…',
  );
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: 'inherit',
    env,
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runOnPinnedNode();
  ensureInstall();
}
