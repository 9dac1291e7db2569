// Seeds the demo apps' ladder state through the ladder API, as the demo users would:
// enrolments, evidence, promotions and approvals. Idempotent: an app already placed is left alone.
import { ensureDemoRepos } from './demo-repos.mjs';

/** Gets a Backstage token for a demo user from the demo sign-in provider. */
export async function demoToken(baseUrl, user) {
  const res = await fetch(`${baseUrl}/api/auth/demo/refresh`, {
    headers: { 'x-khal-demo-user': user, 'x-requested-with': 'XMLHttpRequest' },
  });
  if (!res.ok) throw new Error(`sign-in as ${user} failed: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()).backstageIdentity.token;
}

export async function seedDemo({ baseUrl }) {
  const refs = ensureDemoRepos();
  const alice = await demoToken(baseUrl, 'alice');
  const call = async (token, method, path, body) => {
    const res = await fetch(`${baseUrl}/api/ladder${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const probe = await call(alice, 'GET', '/entities/component/default/orders-api');
  if (probe.status === 404 || probe.status === 501) return 'ladder backend not ready for seeding yet';
  if (probe.body?.rungs?.some(r => r.placement)) return 'demo state already present';
  const enrolled = [];
  for (const app of ['orders-api', 'billing-worker', 'customer-portal', 'payments-gateway', 'edge-proxy']) {
    const r = await call(alice, 'POST', '/enrollments', { entityRef: `component:default/${app}`, ref: refs[app][2] });
    if (r.status < 300) enrolled.push(app);
  }
  return `enrolled ${enrolled.join(', ') || 'nothing'}`;
}
