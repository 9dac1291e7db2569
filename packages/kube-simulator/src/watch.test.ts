import { RunningSimulator, startSimulator } from './simulator';
import { kube } from './testHelpers';

/** Reads a watch stream until `count` events arrived (or the time is up). */
async function readEvents(res: Response, count: number, timeoutMs = 5000) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: any[] = [];
  let buffered = '';
  // A quiet stream never ends a read: cancelling the reader does.
  const timer = setTimeout(() => reader.cancel().catch(() => {}), timeoutMs);
  try {
    while (events.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += decoder.decode(value, { stream: true });
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      events.push(...lines.filter(Boolean).map(l => JSON.parse(l)));
    }
  } finally {
    clearTimeout(timer);
    await reader.cancel().catch(() => {});
  }
  return events;
}

describe('watch', () => {
  let sim: RunningSimulator;
  let url: string;
  const token = 'FAKE-watch-token';

  beforeAll(async () => {
    sim = await startSimulator({
      clusters: [{ name: 'dev', token, objects: [], manualRollouts: true }],
    });
    url = sim.clusters[0].url;
  });
  afterAll(() => sim.stop());

  it('answers a quiet watch with its headers at once, then streams what changes after the listed resourceVersion', async () => {
    const cm = (value: string) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: 'default' },
      data: { value },
    });
    await kube(url, token, '/api/v1/namespaces/default/configmaps', {
      method: 'POST',
      body: cm('a'),
    });
    const list = await kube(
      url,
      token,
      '/api/v1/namespaces/default/configmaps?fieldSelector=metadata.name%3Dsettings',
    );
    const rv = list.body.metadata.resourceVersion;
    const res = await fetch(
      `${url}/api/v1/namespaces/default/configmaps?watch=1&fieldSelector=metadata.name%3Dsettings&resourceVersion=${rv}&timeoutSeconds=5`,
      {
        headers: { Authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(3000),
      },
    );
    expect(res.status).toBe(200);
    await kube(url, token, '/api/v1/namespaces/default/configmaps/settings', {
      method: 'PATCH',
      contentType: 'application/merge-patch+json',
      body: { data: { value: 'b' } },
    });
    await kube(url, token, '/api/v1/namespaces/default/configmaps/settings', {
      method: 'DELETE',
    });
    const events = await readEvents(res, 2);
    expect(
      events.map(e => [e.type, e.object.kind, e.object.data?.value]),
    ).toEqual([
      ['MODIFIED', 'ConfigMap', 'b'],
      ['DELETED', 'ConfigMap', 'b'],
    ]);
  });

  it('sends every matching object as ADDED to a watch without a resourceVersion, and nothing else', async () => {
    for (const name of ['one', 'two'])
      await kube(url, token, '/api/v1/namespaces/default/configmaps', {
        method: 'POST',
        body: {
          metadata: { name, labels: { pick: name === 'one' ? 'yes' : 'no' } },
        },
      });
    const res = await fetch(
      `${url}/api/v1/namespaces/default/configmaps?watch=true&labelSelector=pick%3Dyes`,
      {
        headers: { Authorization: `Bearer ${token}` },
      },
    );
    const events = await readEvents(res, 2, 600);
    expect(events.map(e => [e.type, e.object.metadata.name])).toEqual([
      ['ADDED', 'one'],
    ]);
  });

  it('refuses an anonymous watch', async () => {
    const res = await fetch(
      `${url}/api/v1/namespaces/default/configmaps?watch=1`,
    );
    expect(res.status).toBe(401);
  });
});
