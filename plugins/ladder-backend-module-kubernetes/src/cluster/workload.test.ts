import type { Deployment, Pod, ReplicaSet } from './objects';
import {
  combinedRollout,
  crashLoopingPods,
  currentRevisionOf,
  imageTag,
  primaryDeployment,
  refOf,
  revisionsOf,
  rolloutOf,
} from './workload';

function deployment(partial: {
  name?: string;
  generation?: number;
  replicas?: number;
  status?: Deployment['status'];
  annotations?: Record<string, string>;
}): Deployment {
  return {
    metadata: { name: partial.name ?? 'web', uid: 'uid-web', generation: partial.generation ?? 1, annotations: partial.annotations },
    spec: { replicas: partial.replicas ?? 2 },
    status: partial.status,
  };
}

const settled = { observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 };

describe('imageTag', () => {
  it.each([
    ['registry.test/web:1.2.3', '1.2.3'],
    ['localhost:5000/web:abc', 'abc'],
    ['localhost:5000/web', null],
    ['web@sha256:0123', null],
    ['web:v1@sha256:0123', 'v1'],
    [undefined, null],
  ])('%s → %s', (image, tag) => expect(imageTag(image)).toBe(tag));
});

describe('refOf', () => {
  it('prefers the khal.ai/ref annotation of the template, then of the owner, then the image tag', () => {
    const template = { spec: { containers: [{ name: 'c', image: 'r/web:tag1' }] } };
    expect(refOf(template)).toEqual({ ref: 'tag1', image: 'r/web:tag1' });
    expect(refOf(template, { name: 'd', annotations: { 'khal.ai/ref': 'owner1' } }).ref).toBe('owner1');
    expect(
      refOf({ ...template, metadata: { annotations: { 'khal.ai/ref': 'tpl1' } } }, { name: 'd', annotations: { 'khal.ai/ref': 'owner1' } }).ref,
    ).toBe('tpl1');
    expect(refOf(undefined)).toEqual({ ref: null, image: null });
  });
});

describe('rolloutOf', () => {
  it('is complete when every replica is updated and available', () => {
    expect(rolloutOf(deployment({ status: settled })).state).toBe('complete');
  });

  it('waits for the controller to observe a new generation', () => {
    expect(rolloutOf(deployment({ generation: 2, status: settled }))).toEqual({
      state: 'progressing',
      message: 'Deployment "web": waiting for the spec update to be observed',
    });
  });

  it('fails with the message of Progressing=False/ProgressDeadlineExceeded', () => {
    const status = {
      ...settled,
      updatedReplicas: 1,
      conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'RS "web-1" has timed out progressing.' }],
    };
    expect(rolloutOf(deployment({ status }))).toEqual({ state: 'failed', message: 'RS "web-1" has timed out progressing.' });
  });

  it('fails on ReplicaFailure=True', () => {
    const status = { ...settled, conditions: [{ type: 'ReplicaFailure', status: 'True', message: 'exceeded quota' }] };
    expect(rolloutOf(deployment({ status }))).toEqual({ state: 'failed', message: 'exceeded quota' });
  });

  it('progresses while replicas are updated, old ones terminate, or new ones become available', () => {
    const unavailable = { type: 'Available', status: 'False', message: 'Deployment does not have minimum availability.' };
    expect(rolloutOf(deployment({ status: { ...settled, updatedReplicas: 1, conditions: [unavailable] } })).message).toBe(
      'Deployment "web": 1 of 2 new replicas have been updated (Deployment does not have minimum availability.)',
    );
    expect(rolloutOf(deployment({ status: { ...settled, replicas: 3 } })).message).toBe(
      'Deployment "web": 1 old replicas are pending termination',
    );
    expect(rolloutOf(deployment({ status: { ...settled, availableReplicas: 1 } })).message).toBe(
      'Deployment "web": 1 of 2 updated replicas are available',
    );
  });

  it('combines several Deployments into the worst state', () => {
    const ok = deployment({ name: 'a', status: settled });
    const slow = deployment({ name: 'b', status: { ...settled, availableReplicas: 0 } });
    expect(combinedRollout([ok, slow])).toEqual({ state: 'progressing', message: 'Deployment "b": 0 of 2 updated replicas are available' });
    expect(combinedRollout([])).toBeUndefined();
  });
});

describe('crashLoopingPods', () => {
  it('lists pods with a container (or init container) in CrashLoopBackOff', () => {
    const pod = (name: string, reason?: string, init = false): Pod => {
      const statuses = [{ name: 'c', state: reason ? { waiting: { reason } } : {} }];
      return { metadata: { name }, status: init ? { initContainerStatuses: statuses } : { containerStatuses: statuses } };
    };
    expect(
      crashLoopingPods([pod('b', 'CrashLoopBackOff'), pod('a', 'CrashLoopBackOff', true), pod('c', 'ContainerCreating'), pod('d')]),
    ).toEqual(['a', 'b']);
  });
});

describe('revisions', () => {
  const rs = (name: string, revision: string | undefined, owner = 'web', tag = name): ReplicaSet => ({
    metadata: {
      name,
      annotations: revision ? { 'deployment.kubernetes.io/revision': revision } : {},
      ownerReferences: [{ kind: 'Deployment', name: owner, controller: true }],
    },
    spec: { template: { spec: { containers: [{ name: 'c', image: `r/web:${tag}` }] } } },
  });

  it('lists the ReplicaSets the Deployment owns, newest first', () => {
    const d = deployment({ annotations: { 'deployment.kubernetes.io/revision': '3' } });
    const revisions = revisionsOf(d, [rs('one', '1'), rs('three', '3'), rs('other', '2', 'api'), rs('none', undefined)]);
    expect(revisions).toEqual([
      { revision: 3, ref: 'three', image: 'r/web:three' },
      { revision: 1, ref: 'one', image: 'r/web:one' },
    ]);
    expect(currentRevisionOf(d, revisions)).toBe(3);
    expect(currentRevisionOf(deployment({}), revisions)).toBe(3);
  });

  it('picks the Deployment named like the kubernetes id, else the first by name', () => {
    const [a, b] = [deployment({ name: 'b-worker' }), deployment({ name: 'a-worker' })];
    expect(primaryDeployment([a, b], 'web')?.metadata.name).toBe('a-worker');
    expect(primaryDeployment([a, deployment({ name: 'web' })], 'web')?.metadata.name).toBe('web');
    expect(primaryDeployment([], 'web')).toBeUndefined();
  });
});
