import type { Entity } from '@backstage/catalog-model';
import { rungSchema } from '@khal/plugin-ladder-common';
import { ClusterReader, resolveTarget } from './ClusterReader';
import { ClusterUnavailableError, type KubernetesProxyClient } from './KubernetesProxyClient';

const entity = (annotations: Record<string, string> = { 'backstage.io/kubernetes-id': 'web' }): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'web-app', namespace: 'team-a', annotations },
});

const rung = (namespace?: string) =>
  rungSchema.parse({
    id: 'dev',
    title: 'Dev',
    runtime: 'kind',
    mutationPolicy: 'self',
    kubernetes: { cluster: 'dev', ...(namespace ? { namespace } : {}) },
  });

describe('resolveTarget', () => {
  it('renders the namespace pattern with entity.name, entity.namespace and kubernetesId', () => {
    expect(resolveTarget(entity(), rung('khal-{{entity.name}}'))).toEqual({
      ok: true,
      target: { cluster: 'dev', namespace: 'khal-web-app', kubernetesId: 'web' },
    });
    expect(resolveTarget(entity(), rung())).toMatchObject({ ok: true, target: { namespace: 'team-a' } });
    expect(resolveTarget(entity(), rung('{{kubernetesId}}-dev'))).toMatchObject({ ok: true, target: { namespace: 'web-dev' } });
  });

  it('explains what cannot be resolved', () => {
    expect(resolveTarget(entity({}), rung())).toMatchObject({ ok: false, reason: expect.stringContaining('no backstage.io/kubernetes-id') });
    expect(resolveTarget(entity(), rung('{{entity.owner}}'))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('unknown placeholders (entity.owner)'),
    });
    expect(resolveTarget(entity(), rung('Bad_Namespace'))).toMatchObject({ ok: false, reason: expect.stringContaining('not a valid Kubernetes namespace') });
    expect(resolveTarget(entity({ 'backstage.io/kubernetes-id': 'a b' }), rung())).toMatchObject({
      ok: false,
      reason: expect.stringContaining('not a valid Kubernetes label value'),
    });
    const local = rungSchema.parse({ id: 'local', title: 'Local', runtime: 'pm2', mutationPolicy: 'self' });
    expect(resolveTarget(entity(), local)).toMatchObject({ ok: false });
  });
});

describe('ClusterReader', () => {
  const target = { cluster: 'dev', namespace: 'ns', kubernetesId: 'web' };

  function fakeClient(answer: (path: string) => unknown) {
    const list = jest.fn(async (_cluster: string, path: string) => answer(path));
    return { client: { list } as unknown as KubernetesProxyClient, list };
  }

  it('reads the three kinds in parallel, selected by the kubernetes id', async () => {
    const { client, list } = fakeClient(() => ({ items: [] }));
    const reader = new ClusterReader(client, { cacheTtlMs: 0 });
    await expect(reader.workload(target)).resolves.toMatchObject({ ok: true, value: { deployments: [], replicaSets: [], pods: [] } });
    expect(list.mock.calls.map(c => c[1])).toEqual([
      '/apis/apps/v1/namespaces/ns/deployments?labelSelector=backstage.io%2Fkubernetes-id%3Dweb',
      '/apis/apps/v1/namespaces/ns/replicasets?labelSelector=backstage.io%2Fkubernetes-id%3Dweb',
      '/api/v1/namespaces/ns/pods?labelSelector=backstage.io%2Fkubernetes-id%3Dweb',
    ]);
  });

  it('shares concurrent reads and reuses them for the cache time', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    try {
      const { client, list } = fakeClient(() => ({ items: [] }));
      const reader = new ClusterReader(client, { cacheTtlMs: 5000 });
      await Promise.all([reader.workload(target), reader.workload(target)]);
      await reader.workload(target);
      expect(list).toHaveBeenCalledTimes(3);
      jest.advanceTimersByTime(5001);
      await reader.workload(target);
      expect(list).toHaveBeenCalledTimes(6);
    } finally {
      jest.useRealTimers();
    }
  });

  it('turns failures into a reason', async () => {
    const { client } = fakeClient(() => {
      throw new ClusterUnavailableError('cluster "dev" is unreachable: boom');
    });
    const reader = new ClusterReader(client, { cacheTtlMs: 0 });
    await expect(reader.workload(target)).resolves.toMatchObject({ ok: false, reason: 'cluster "dev" is unreachable: boom' });
  });

  it('keeps only names and declared setting names of metadata-only lists', async () => {
    const { client, list } = fakeClient(() => ({
      kind: 'PartialObjectMetadataList',
      items: [
        { metadata: { name: 'a', annotations: { 'khal.ai/setting-names': 'X, Y', other: 'dropped' } } },
        { metadata: { name: 'b' } },
      ],
    }));
    const reader = new ClusterReader(client, { cacheTtlMs: 0 });
    const names = await reader.objectNames('dev', 'ns', 'secrets');
    expect(names).toMatchObject({ ok: true });
    expect(names.ok && [...names.value.entries()]).toEqual([
      ['a', { settingNames: ['X', 'Y'] }],
      ['b', { settingNames: undefined }],
    ]);
    expect(list).toHaveBeenCalledWith('dev', '/api/v1/namespaces/ns/secrets', {
      accept: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1',
    });
  });

  it('drops an answer that is not metadata-only', async () => {
    const { client } = fakeClient(() => ({ kind: 'SecretList', items: [{ metadata: { name: 'a' }, data: { k: 'dg==' } }] }));
    const reader = new ClusterReader(client, { cacheTtlMs: 0 });
    await expect(reader.objectNames('dev', 'ns', 'secrets')).resolves.toMatchObject({
      ok: false,
      reason: expect.stringContaining('did not answer the secrets list with metadata only'),
    });
  });
});
