import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * What the browser tests do outside the browser, as the FDE's terminal or the deploy tooling would:
 * call the ladder API with a demo user's token (what `khal` does), and deploy to a simulated
 * cluster (what helm/kubectl would do to a real one).
 */
// The same runner the demo seed uses: a checkout of the app at the commit, kubectl with the demo
// clusters' kubeconfig (scripts/e2e.mjs sets KUBECONFIG and trusts their CA).
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import { runRungCommand } from '../../scripts/lib/rungCommands.mjs';

const backend = 'http://localhost:7007';

export async function demoToken(user: string): Promise<string> {
  const res = await fetch(`${backend}/api/auth/demo/refresh`, {
    headers: { 'x-khal-demo-user': user, 'x-requested-with': 'XMLHttpRequest' },
  });
  if (!res.ok) throw new Error(`sign-in as ${user}: HTTP ${res.status}`);
  return (await res.json()).backstageIdentity.token;
}

export async function ladderApi<T = any>(
  user: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${backend}/api/ladder${path}`, {
    method,
    headers: {
      authorization: `Bearer ${await demoToken(user)}`,
      'content-type': 'application/json',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok)
    throw new Error(
      `${method} ${path}: HTTP ${res.status} ${json?.error?.message}`,
    );
  return json;
}

/** A rendered rung command run in a checkout of `app` at `sha`; throws when it does not exit 0. */
export async function runCommand(
  app: string,
  sha: string,
  command: string,
): Promise<string> {
  const reposDir = process.env.KHAL_REPOS_DIR;
  const kubeconfig = process.env.KUBECONFIG;
  if (!reposDir || !kubeconfig)
    throw new Error(
      'KHAL_REPOS_DIR and KUBECONFIG are not set: run the browser tests through scripts/e2e.mjs',
    );
  const result = await runRungCommand({
    reposDir,
    kubeconfig,
    app,
    sha,
    command,
  });
  if (result.exitCode !== 0)
    throw new Error(`${command} exited ${result.exitCode}: ${result.output}`);
  return result.output;
}

/** The demo app's commits, oldest first, from the git repositories the portal reads. */
export function commits(app: string): string[] {
  const repos = process.env.KHAL_REPOS_DIR;
  if (!repos)
    throw new Error(
      'KHAL_REPOS_DIR is not set: run the browser tests through scripts/e2e.mjs',
    );
  return execFileSync(
    'git',
    ['-C', join(repos, `${app}.git`), 'rev-list', '--reverse', 'main'],
    { encoding: 'utf8' },
  )
    .trim()
    .split('\n');
}

/**
 * Rolls `app` out at `sha` in its `khal-<app>` namespace of a simulated cluster, by hand, outside
 * the ladder: the app's deploy/kubernetes.yaml at that commit, applied with kubectl (what someone
 * with cluster credentials would do).
 */
export async function deploy(cluster: string, app: string, sha: string) {
  await runCommand(
    app,
    sha,
    `sed -e 's/@REF@/${sha}/g' -e 's/@NAMESPACE@/khal-${app}/g' deploy/kubernetes.yaml | kubectl --context ${cluster} apply -f - && kubectl --context ${cluster} -n khal-${app} rollout status deploy/${app} --timeout=120s`,
  );
}

/** The portal's deploy plan of `app` at `ref` for `rung` (rendered commands, plan digest). */
export function plan(user: string, app: string, rung: string, ref: string) {
  return ladderApi(
    user,
    'GET',
    `/plan?entityRef=${encodeURIComponent(
      `component:default/${app}`,
    )}&target=${rung}&ref=${ref}`,
  );
}

/** What `khal deploy --dry-run` does: runs the rung's dry-run command, records it with the plan digest. */
export async function dryRun(
  user: string,
  app: string,
  rung: string,
  sha: string,
) {
  const p = await plan(user, app, rung, sha);
  const output = await runCommand(app, sha, p.commands.dryRun);
  await ladderApi(user, 'POST', '/evidence', {
    entityRef: `component:default/${app}`,
    rung,
    ref: sha,
    kind: 'dry-run',
    summary: `dry-run of ${app} ${sha.slice(0, 7)} to ${rung}: clean`,
    content: `$ ${p.commands.dryRun}\n${output}`,
    data: {
      clean: true,
      exitCode: 0,
      command: p.commands.dryRun,
      commit: sha,
      target: rung,
      planDigest: p.planDigest,
    },
  });
}

/**
 * What `khal deploy --target <rung>` does on an approval or operators rung: claims the approved
 * promotion of exactly this commit, runs the rung's rendered deploy command, reports the outcome.
 */
export async function claimAndDeploy(
  user: string,
  promotionId: string,
  app: string,
  rung: string,
  sha: string,
) {
  await ladderApi(user, 'POST', `/promotions/${promotionId}/claim`, {
    toRung: rung,
    sha,
  });
  const p = await plan(user, app, rung, sha);
  const output = await runCommand(app, sha, p.commands.deploy);
  return ladderApi(user, 'POST', `/promotions/${promotionId}/deploy-result`, {
    exitCode: 0,
    summary: `deploy of ${app} ${sha.slice(0, 7)} to ${rung} exited 0`,
    output,
  });
}
