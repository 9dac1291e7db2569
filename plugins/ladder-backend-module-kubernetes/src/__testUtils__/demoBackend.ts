import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  type RunningSimulator,
  caFileIn,
  ensureTlsMaterial,
  loadConfig,
  startSimulator,
  writeKubeconfig,
} from '@khal/kube-simulator';
// The module is tested inside the plugin it extends (see ladderBackend.test.ts).
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import ladderPlugin from '@khal/plugin-ladder-backend';
import { parse, parseAllDocuments } from 'yaml';
import ladderModuleKubernetes from '../index';

/*
 * The demo as `npm start` runs it, in one test process: the demo ladder of app-config.yaml, the
 * demo catalog, the demo apps' repositories and the demo clusters' fixtures (simulated, over TLS).
 */

export const ROOT = resolve(__dirname, '../../../..');

/** The demo catalog, with the relations the catalog would compute. */
export function demoCatalog(): Entity[] {
  const entities = readdirSync(join(ROOT, 'demo/catalog'))
    .filter(f => f.endsWith('.yaml'))
    .flatMap(f =>
      parseAllDocuments(
        readFileSync(join(ROOT, 'demo/catalog', f), 'utf8'),
      ).map(d => d.toJS() as Entity),
    );
  const members = new Map<string, string[]>();
  for (const e of entities.filter(x => x.kind === 'User')) {
    for (const g of (e.spec?.memberOf as string[]) ?? [])
      members.set(g, [...(members.get(g) ?? []), e.metadata.name]);
  }
  return entities.map(e => ({
    ...e,
    metadata: { namespace: 'default', ...e.metadata },
    relations: [
      ...(e.kind === 'User'
        ? ((e.spec?.memberOf as string[]) ?? []).map(g => ({
            type: 'memberOf',
            targetRef: `group:default/${g}`,
          }))
        : []),
      ...(e.kind === 'Group'
        ? (members.get(e.metadata.name) ?? []).map(u => ({
            type: 'hasMember',
            targetRef: `user:default/${u}`,
          }))
        : []),
      ...(typeof e.spec?.owner === 'string'
        ? [{ type: 'ownedBy', targetRef: e.spec.owner as string }]
        : []),
    ],
  }));
}

/** Creates the demo repositories in a temporary directory; returns it and the full shas. */
export function demoRepositories(): {
  dir: string;
  refs: Record<string, string[]>;
} {
  const dir = mkdtempSync(join(tmpdir(), 'ladder-demo-repos-'));
  const out = execFileSync(
    process.execPath,
    [join(ROOT, 'scripts/demo-repos.mjs')],
    {
      env: { ...process.env, KHAL_REPOS_DIR: dir },
      encoding: 'utf8',
    },
  );
  const refs = Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map(line => {
        const [name, shas] = line.split(': ');
        // Promotions bind to the full commit SHA: evidence must name the same one.
        return [
          name,
          shas
            .split(' ')
            .map(s =>
              execFileSync(
                'git',
                ['-C', join(dir, `${name}.git`), 'rev-parse', `${s}^{commit}`],
                { encoding: 'utf8' },
              ).trim(),
            ),
        ];
      }),
  );
  return { dir, refs };
}

/** The demo's backend (kubernetes and ladder plugins, this module) against simulated demo clusters. */
export async function startDemoBackend() {
  const repos = demoRepositories();
  // The clusters speak TLS as in the demo: kubectl sends its token only over https.
  const kubeDir = mkdtempSync(join(tmpdir(), 'ladder-demo-kube-'));
  const kubeconfig = join(kubeDir, 'kubeconfig');
  let sim: RunningSimulator | undefined;
  let backend: Awaited<ReturnType<typeof startTestBackend>> | undefined;
  const stop = async () => {
    await backend?.stop();
    await sim?.stop();
    rmSync(repos.dir, { recursive: true, force: true });
    rmSync(kubeDir, { recursive: true, force: true });
  };
  try {
    const demo = loadConfig(
      join(ROOT, 'packages/kube-simulator/fixtures/demo.yaml'),
    );
    const tls = ensureTlsMaterial(kubeDir);
    const started = await startSimulator({
      clusters: demo.clusters.map(c => ({
        ...c,
        port: 0,
        rolloutDurationMs: 200,
      })),
      tls: { cert: tls.cert, key: tls.key },
    });
    sim = started;
    writeKubeconfig(kubeconfig, started.clusters, tls.ca);
    const { ladder } = parse(
      readFileSync(join(ROOT, 'app-config.yaml'), 'utf8'),
    );
    backend = await startTestBackend({
      features: [
        kubernetesPlugin,
        ladderPlugin,
        ladderModuleKubernetes,
        catalogServiceMock.factory({ entities: demoCatalog() }),
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
              serviceLocatorMethod: { type: 'multiTenant' },
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: started.clusters.map(c => ({
                    name: c.name,
                    url: c.url,
                    authProvider: 'serviceAccount',
                    serviceAccountToken: c.token,
                    caFile: caFileIn(kubeDir),
                    skipMetricsLookup: true,
                  })),
                },
              ],
            },
            ladder: { ...ladder, localRepositoriesRoot: repos.dir },
            ladderKubernetes: { requestTimeoutMs: 15000, cacheTtlMs: 0 },
          },
        }),
      ],
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { server: backend.server, repos, kubeconfig, stop };
}
