/*
 * The environment rung commands run in. The CLI ships the tools of the local
 * rungs (pm2 is one of its dependencies): their bin directory comes first on
 * PATH. Inside the Khal Ladder workspace (the embedded default) PM2 keeps its
 * state under the workspace's data/ and kubectl uses the kubeconfig the
 * simulated clusters wrote; a KUBECONFIG or PM2_HOME already set wins, which is
 * how the same commands are pointed at real clusters and hosts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where the CLI and its workspace are. */
export interface RunnerLocations {
  /** The directory holding the programs installed with the CLI (node_modules/.bin). */
  binDir?: string;
  /** The Khal Ladder workspace the CLI runs from, when it does. */
  workspace?: string;
}

/** The rung commands' environment and what was chosen, for people to read. */
export interface RunnerEnvironment {
  env: NodeJS.ProcessEnv;
  /** e.g. "KUBECONFIG=/…/data/kube/kubeconfig (the simulated clusters of the workspace)". */
  notes: string[];
}

function packageDirOf(start: string, name: string): string | undefined {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      try {
        if (JSON.parse(fs.readFileSync(file, 'utf8')).name === name) return dir;
      } catch {
        // not a readable package.json: keep looking upwards
      }
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** The CLI's own package directory (its package.json resolves from any install layout). */
function cliPackageDir(): string | undefined {
  try {
    return path.dirname(require.resolve('@khal/cli/package.json'));
  } catch {
    return process.argv[1]
      ? packageDirOf(path.dirname(path.resolve(process.argv[1])), '@khal/cli')
      : undefined;
  }
}

/** Finds the CLI's bin directory (the one holding pm2) and its workspace. */
export function locateRunner(
  cliDir: string | undefined = cliPackageDir(),
): RunnerLocations {
  const from = cliDir ?? process.cwd();
  let binDir: string | undefined;
  try {
    const pm2Dir = path.dirname(
      require.resolve('pm2/package.json', { paths: [cliDir ?? from] }),
    );
    const candidate = path.join(path.dirname(pm2Dir), '.bin');
    if (fs.existsSync(path.join(candidate, 'pm2'))) binDir = candidate;
  } catch {
    binDir = undefined;
  }
  const root = cliDir && path.resolve(cliDir, '..', '..');
  const workspace =
    root &&
    fs.existsSync(path.join(root, 'app-config.yaml')) &&
    fs.existsSync(path.join(root, 'packages', 'kube-simulator'))
      ? root
      : undefined;
  return { binDir, workspace };
}

/** The environment for rung commands, from the current one. */
export function runnerEnvironment(
  base: NodeJS.ProcessEnv,
  where: RunnerLocations = locateRunner(),
): RunnerEnvironment {
  const env: NodeJS.ProcessEnv = { ...base };
  const notes: string[] = [];
  if (where.binDir) {
    env.PATH = [where.binDir, base.PATH].filter(Boolean).join(path.delimiter);
  }
  const dataDir =
    base.KHAL_DATA_DIR ??
    (where.workspace
      ? path.join(where.workspace, 'data')
      : path.join(os.homedir(), '.khal'));
  env.KHAL_DATA_DIR = dataDir;
  if (!base.PM2_HOME && where.workspace) {
    env.PM2_HOME = path.join(dataDir, 'pm2');
    notes.push(`PM2_HOME=${env.PM2_HOME} (the workspace's PM2)`);
  }
  const demoKubeconfig = where.workspace
    ? path.join(where.workspace, 'data', 'kube', 'kubeconfig')
    : undefined;
  if (!base.KUBECONFIG && demoKubeconfig && fs.existsSync(demoKubeconfig)) {
    env.KUBECONFIG = demoKubeconfig;
    notes.push(
      `KUBECONFIG=${demoKubeconfig} (the simulated clusters; set KUBECONFIG for real ones)`,
    );
  }
  return { env, notes };
}
