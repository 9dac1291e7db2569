import { mockServices } from '@backstage/backend-test-utils';
import { ClusterReader } from './ClusterReader';
import { ClusterUnavailableError, type KubernetesProxyClient } from './KubernetesProxyClient';
import { WorkloadSnapshots } from './WorkloadSnapshots';

const labelled = (namespace: string, id: string, name: string) => ({
  metadata: { name, namespace, labels: { 'backstage.io/kubernetes-id': id } },
});

describe('WorkloadSnapshots', () => {
  let now = 1_000_000;
  let failing = false;
  const list = jest.fn(async (_cluster: string, path: string) => {
    if (failing) throw new ClusterUnavailableError('cluster "dev" is unreachable: boom');
    if (path.startsWith('/apis/apps/v1/deployments')) {
      return { items: [labelled('ns-a', 'web', 'web'), labelled('ns-b', 'web', 'web'), { metadata: { name: 'unlabelled', namespace: 'ns-a' } }] };
    }
    if (path.startsWith('/api/v1/pods')) return { items: [labelled('ns-a', 'web', 'web-1')] };
    return { items: [] };
  });
  const client = { list } as unknown as KubernetesProxyClient;
  const logger = mockServices.logger.mock();
  const snapshots = new WorkloadSnapshots(client, { refreshMs: 2000, logger, now: () => now });

  beforeEach(() => {
    list.mockClear();
    failing = false;
  });

  it('lists the labelled Deployments, ReplicaSets and Pods of all namespaces, three requests per cluster', async () => {
    snapshots.track('dev');
    await snapshots.refresh('dev');
    expect(list.mock.calls.map(c => c[1]).sort()).toEqual([
      '/api/v1/pods?labelSelector=backstage.io%2Fkubernetes-id',
      '/apis/apps/v1/deployments?labelSelector=backstage.io%2Fkubernetes-id',
      '/apis/apps/v1/replicasets?labelSelector=backstage.io%2Fkubernetes-id',
    ]);
    const reading = snapshots.get({ cluster: 'dev', namespace: 'ns-a', kubernetesId: 'web' }, 5000);
    expect(reading).toMatchObject({ ok: true, checkedAt: new Date(now).toISOString() });
    expect(reading?.ok && reading.value.deployments.map(d => d.metadata.name)).toEqual(['web']);
    expect(reading?.ok && reading.value.pods.map(p => p.metadata.name)).toEqual(['web-1']);
    // Nothing labelled there: an empty workload, as a list in that namespace would say.
    expect(snapshots.get({ cluster: 'dev', namespace: 'ns-c', kubernetesId: 'web' }, 5000)).toMatchObject({
      ok: true,
      value: { deployments: [], replicaSets: [], pods: [] },
    });
  });

  it('gives nothing older than the reader accepts, and nothing for an untracked cluster', async () => {
    const target = { cluster: 'dev', namespace: 'ns-a', kubernetesId: 'web' };
    now += 3000;
    expect(snapshots.get(target, 2999)).toBeUndefined();
    expect(snapshots.get(target, 3000)).toBeDefined();
    expect(snapshots.get({ ...target, cluster: 'other' }, 60_000)).toBeUndefined();
  });

  it('keeps the last picture when a refresh fails, says so once, and lets it age out', async () => {
    const target = { cluster: 'dev', namespace: 'ns-a', kubernetesId: 'web' };
    await snapshots.refresh('dev');
    failing = true;
    now += 1000;
    await snapshots.refresh('dev');
    await snapshots.refresh('dev');
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0][0]).toContain('cluster "dev" is unreachable: boom');
    expect(snapshots.get(target, 1000)).toBeDefined();
    expect(snapshots.get(target, 999)).toBeUndefined();
  });

  it('is what the reader answers from when the caller accepts its age; 0 always asks the cluster', async () => {
    failing = false;
    await snapshots.refresh('dev');
    list.mockClear();
    const reader = new ClusterReader(client, { cacheTtlMs: 5000, snapshots });
    const target = { cluster: 'dev', namespace: 'ns-a', kubernetesId: 'web' };
    await expect(reader.workload(target, { maxAgeMs: 5000 })).resolves.toMatchObject({ ok: true });
    expect(list).not.toHaveBeenCalled();
    await reader.workload(target, { maxAgeMs: 0 });
    await reader.workload(target, { maxAgeMs: 0 });
    expect(list).toHaveBeenCalledTimes(6); // live twice, three lists each, no cache in between
    await reader.workload(target); // the gates' default: the reading of the last cacheTtlMs
    expect(list).toHaveBeenCalledTimes(6);
  });
});

describe('WorkloadSnapshots logging, a cluster that goes down and comes back', () => {
  it('says one warning when it goes down and one info line when it is back, never a stack trace; each refresh is debug', async () => {
    let down = false;
    let reason = 0;
    const list = jest.fn(async () => {
      if (!down) return { items: [] };
      // An outage's reason changes as it goes on (refused, then timing out): still one outage.
      reason++;
      const error = new ClusterUnavailableError(
        reason % 2 ? 'cluster "prod" is unreachable: connect ECONNREFUSED' : 'cluster "prod" did not answer within 5000 ms',
      );
      throw error;
    });
    const logger = mockServices.logger.mock();
    const snapshots = new WorkloadSnapshots({ list } as unknown as KubernetesProxyClient, { refreshMs: 2000, logger });
    snapshots.track('prod');
    await snapshots.refresh('prod');
    down = true;
    for (let i = 0; i < 30; i++) await snapshots.refresh('prod'); // a minute of refreshes
    down = false;
    for (let i = 0; i < 30; i++) await snapshots.refresh('prod');

    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0]).toEqual([expect.stringContaining('workload lists of cluster "prod" could not be refreshed')]);
    expect(logger.info).toHaveBeenCalledTimes(1);
    expect(logger.info.mock.calls[0]).toEqual(['cluster "prod" answers the workload lists again']);
    expect(logger.error).not.toHaveBeenCalled();
    const everything = [logger.warn, logger.info, logger.debug].flatMap(f => f.mock.calls).flat();
    // Only sentences: no Error object (the logger would print its stack) and no stack text.
    for (const arg of everything) {
      expect(arg).not.toBeInstanceOf(Error);
      expect(JSON.stringify(arg ?? null)).not.toMatch(/\n\s+at |\\n\s+at /);
    }
    // The refreshes themselves are debug, for whoever turns it on.
    expect(logger.debug.mock.calls.length).toBeGreaterThanOrEqual(30);
  });
});
