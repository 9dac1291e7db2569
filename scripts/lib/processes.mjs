// Starting and stopping the portal's processes (simulator, backend, frontend) for start, e2e and bench.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Spawns a long-running child in its own process group, prefixing its output. */
export function run(name, command, args, options = {}) {
  const child = spawn(command, args, {
    cwd: options.cwd ?? root,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const prefix = line => (options.quiet ? undefined : `[${name}] ${line}`);
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream.on('data', chunk => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop();
      for (const line of lines) {
        options.onLine?.(line);
        const out = prefix(line);
        if (out) process.stdout.write(`${out}\n`);
      }
    });
  }
  child.on('exit', code => options.onExit?.(code));
  return child;
}

/** Stops a child started by `run` and everything it started. */
export function stop(child) {
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise(resolve => {
    child.once('exit', () => resolve());
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      resolve();
      return;
    }
    setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, 10_000).unref();
  });
}

/** Polls a URL until it answers 2xx, or fails after `timeoutMs` with what it last saw. */
export async function waitForUrl(
  url,
  { timeoutMs = 300_000, intervalMs = 1000 } = {},
) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = e.cause?.code ?? e.message;
    }
    await new Promise(r => setTimeout(r, intervalMs));
  }
  throw new Error(
    `${url} did not become ready within ${timeoutMs / 1000}s (last: ${last})`,
  );
}

/** Where the demo clusters keep their CA (clients trust `ca.crt`) and the kubeconfig for kubectl. */
export const demoKubeDir = join(root, 'data', 'kube');
export const demoKubeconfig = join(demoKubeDir, 'kubeconfig');

/**
 * Starts the three simulated clusters of the embedded default (packages/kube-simulator) over
 * https, with their CA under data/kube and a kubeconfig for kubectl (`data/kube/kubeconfig`,
 * contexts shared-dev, customer-hml, prod-oke). Resolves the child once every cluster listens,
 * so the backend never starts before the CA file it trusts exists.
 */
export function runDemoClusters(options = {}) {
  const simulator = join(root, 'packages', 'kube-simulator');
  let listening = 0;
  let ready;
  const started = new Promise((resolve, reject) => {
    ready = resolve;
    setTimeout(
      () => reject(new Error('the simulated clusters did not start within 60s')),
      60_000,
    ).unref();
  });
  const child = run(
    'clusters',
    process.execPath,
    [
      join(simulator, 'bin', 'kube-simulator'),
      '--config',
      join(simulator, 'fixtures', 'demo.yaml'),
      '--tls-dir',
      demoKubeDir,
      '--kubeconfig',
      demoKubeconfig,
    ],
    {
      ...options,
      onLine: line => {
        if (/^cluster \S+ listening on /.test(line) && ++listening === 3) ready();
        options.onLine?.(line);
      },
    },
  );
  child.started = started;
  return child;
}
