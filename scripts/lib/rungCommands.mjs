// Runs a rung's rendered command the way `khal deploy` does: in a checkout of the app at the
// commit (a clone of its repository in the embedded default's local git host), with the demo
// clusters' kubeconfig, so kubectl reaches the simulated clusters over TLS.
// No import.meta here (nor in what it imports): the browser tests load it through Playwright's
// CommonJS transform.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs `command` with `sh -c` in a checkout of `<reposDir>/<app>.git` at `sha`, with KUBECONFIG
 * set to `kubeconfig`; resolves { exitCode, output } (stdout and stderr, in order).
 */
export async function runRungCommand({
  reposDir,
  kubeconfig,
  app,
  sha,
  command,
}) {
  if (!command)
    return { exitCode: 127, output: 'the rung configures no such command' };
  const work = mkdtempSync(join(tmpdir(), `khal-deploy-${app}-`));
  try {
    execFileSync('git', ['clone', '-q', join(reposDir, `${app}.git`), work]);
    execFileSync('git', ['-C', work, 'checkout', '-q', '--detach', sha]);
    return await new Promise((resolve, reject) => {
      const child = spawn('sh', ['-c', command], {
        cwd: work,
        env: { ...process.env, KUBECONFIG: kubeconfig },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', c => (output += c));
      child.stderr.on('data', c => (output += c));
      child.on('error', reject);
      child.on('exit', code => resolve({ exitCode: code ?? 1, output }));
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
