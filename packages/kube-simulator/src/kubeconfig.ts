/*
 * A kubeconfig for the simulated clusters, so real clients (kubectl) reach them
 * the way they reach real clusters: one cluster, user and context per simulated
 * cluster, each context named like the cluster, the CA carried inline.
 */
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';

/** A running cluster as a kubeconfig entry needs it. */
export interface KubeconfigCluster {
  name: string;
  url: string;
  token: string;
}

/** The kubeconfig text; `ca` is the PEM of the CA that signed the clusters' certificates. */
export function kubeconfigFor(
  clusters: KubeconfigCluster[],
  ca: string,
): string {
  const caData = Buffer.from(ca, 'utf8').toString('base64');
  return `# Written by kube-simulator for its simulated clusters (NOT Kubernetes). Demo tokens only.\n${stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      preferences: {},
      clusters: clusters.map(c => ({
        name: c.name,
        cluster: { server: c.url, 'certificate-authority-data': caData },
      })),
      users: clusters.map(c => ({ name: c.name, user: { token: c.token } })),
      contexts: clusters.map(c => ({
        name: c.name,
        context: { cluster: c.name, user: c.name },
      })),
      'current-context': clusters[0]?.name ?? '',
    },
  )}`;
}

/** Writes the kubeconfig readable by its owner only (it holds the clusters' tokens). */
export function writeKubeconfig(
  file: string,
  clusters: KubeconfigCluster[],
  ca: string,
): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, kubeconfigFor(clusters, ca), { mode: 0o600 });
  fs.renameSync(temp, file);
}
