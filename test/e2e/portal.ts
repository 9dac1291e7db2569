/**
 * What the browser tests do outside the browser, as the FDE's terminal or the deploy tooling would:
 * call the ladder API with a demo user's token (what `khal` does), and deploy to a simulated
 * cluster (what helm/kubectl would do to a real one).
 */
const backend = 'http://localhost:7007';

export async function demoToken(user: string): Promise<string> {
  const res = await fetch(`${backend}/api/auth/demo/refresh`, {
    headers: { 'x-khal-demo-user': user, 'x-requested-with': 'XMLHttpRequest' },
  });
  if (!res.ok) throw new Error(`sign-in as ${user}: HTTP ${res.status}`);
  return (await res.json()).backstageIdentity.token;
}

export async function ladderApi<T = any>(user: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${backend}/api/ladder${path}`, {
    method,
    headers: { authorization: `Bearer ${await demoToken(user)}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${json?.error?.message}`);
  return json;
}

const clusters: Record<string, { url: string; token: string }> = {
  'shared-dev': { url: 'https://127.0.0.1:7101', token: 'demo-shared-dev-token' },
  'customer-hml': { url: 'https://127.0.0.1:7102', token: 'demo-customer-hml-token' },
};

async function kube(cluster: string, method: string, path: string, body?: unknown, contentType = 'application/json') {
  const { url, token } = clusters[cluster];
  return fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Rolls `app` out at `ref` in its `khal-<app>` namespace of a simulated cluster. */
export async function deploy(cluster: string, app: string, ref: string) {
  const ns = `khal-${app}`;
  const labels = { 'backstage.io/kubernetes-id': app, app };
  const template = {
    metadata: { labels, annotations: { 'khal.ai/ref': ref } },
    spec: { containers: [{ name: app, image: `registry.khal.local/${app}:${ref}` }] },
  };
  const existing = await kube(cluster, 'GET', `/apis/apps/v1/namespaces/${ns}/deployments/${app}`);
  if (existing.ok) {
    const res = await kube(
      cluster,
      'PATCH',
      `/apis/apps/v1/namespaces/${ns}/deployments/${app}`,
      { metadata: { annotations: { 'khal.ai/ref': ref } }, spec: { template } },
      'application/merge-patch+json',
    );
    if (!res.ok) throw new Error(`patch ${app} on ${cluster}: HTTP ${res.status} ${await res.text()}`);
    return;
  }
  await kube(cluster, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels } });
  const res = await kube(cluster, 'POST', `/apis/apps/v1/namespaces/${ns}/deployments`, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: app, namespace: ns, labels, annotations: { 'khal.ai/ref': ref } },
    spec: { replicas: 1, selector: { matchLabels: labels }, template },
  });
  if (!res.ok) throw new Error(`create ${app} on ${cluster}: HTTP ${res.status} ${await res.text()}`);
}
