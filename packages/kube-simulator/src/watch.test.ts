import { RunningSimulator, startSimulator } from './simulator';
import { kube } from './testHelpers';

/** Reads a watch stream's events as they come: `take(n)` waits (bounded) for the next n. */
function eventReader(res: Response) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const queue: any[] = [];
  let buffered = '';
  return {
    async take(count: number, timeoutMs = 3000): Promise<any[]> {
      // A quiet stream never ends a read: cancelling the reader does.
      const timer = setTimeout(
        () => reader.cancel().catch(() => {}),
        timeoutMs,
      );
      try {
        while (queue.length < count) {
          const { value, done } = await reader.read();
          if (done) break;
          buffered += decoder.decode(value, { stream: true });
          const lines = buffered.split('\n');
          buffered = lines.pop()!;
          queue.push(...lines.filter(Boolean).map(l => JSON.parse(l)));
        }
      } finally {
        clearTimeout(timer);
      }
      return queue.splice(0, count);
    },
    close: () => reader.cancel().catch(() => {}),
  };
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
      // No fetch timeout: it would also abort reading the body; readEvents bounds the wait.
      { headers: { Authorization: `Bearer ${token}` } },
    );
    expect(res.status).toBe(200);
    const events = eventReader(res);
    const shape = (e: any) => [e.type, e.object.kind, e.object.data?.value];
    await kube(url, token, '/api/v1/namespaces/default/configmaps/settings', {
      method: 'PATCH',
      contentType: 'application/merge-patch+json',
      body: { data: { value: 'b' } },
    });
    // Changes within one poll interval coalesce, so each change is awaited before the next.
    expect((await events.take(1)).map(shape)).toEqual([
      ['MODIFIED', 'ConfigMap', 'b'],
    ]);
    await kube(url, token, '/api/v1/namespaces/default/configmaps/settings', {
      method: 'DELETE',
    });
    expect((await events.take(1)).map(shape)).toEqual([
      ['DELETED', 'ConfigMap', 'b'],
    ]);
    await events.close();
  }, 15_000);

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
    const events = eventReader(res);
    const seen = await events.take(2, 800);
    expect(seen.map(e => [e.type, e.object.metadata.name])).toEqual([
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
