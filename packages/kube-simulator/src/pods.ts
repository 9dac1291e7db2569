/*
 * Pods as a ReplicaSet controller and kubelet would produce them: named
 * <replicaset>-<5 chars>, labels and spec from the pod template, and a status
 * for one of a few simulated conditions (ready, starting, crash-looping,
 * failing to pull its image).
 */
import { KubeObject } from './types';
import { clone } from './store';
import { nowTimestamp } from './objectDefaults';
import {
  fakeContainerId,
  fakeDigest,
  fakeIp,
  newUid,
  podSuffix,
} from './names';

/** The simulated condition of a pod. */
export type PodHealth = 'ready' | 'starting' | 'crashloop' | 'imagepull';

const NODE_NAME = 'sim-node-1';

/** A new Pod object for a ReplicaSet (status filled by {@link setPodHealth}). */
export function newPodFor(
  rs: KubeObject,
  seed: number,
  health: PodHealth,
): KubeObject {
  const template = clone(rs.spec?.template ?? {});
  const ns = rs.metadata.namespace;
  const name = `${rs.metadata.name}-${podSuffix(
    `${ns}/${rs.metadata.name}/${seed}`,
  )}`;
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: `${rs.metadata.name}-`,
      namespace: ns,
      uid: newUid(),
      creationTimestamp: nowTimestamp(),
      labels: { ...template.metadata?.labels },
      annotations: { ...template.metadata?.annotations },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: rs.metadata.name,
          uid: rs.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      terminationGracePeriodSeconds: 30,
      serviceAccountName: 'default',
      ...template.spec,
      nodeName: NODE_NAME,
    },
  };
  setPodHealth(pod, health);
  return pod;
}

/** Whether a pod counts as ready (its Ready condition is True). */
export function isPodReady(pod: KubeObject): boolean {
  const conditions: Array<{ type: string; status: string }> =
    pod.status?.conditions ?? [];
  return conditions.some(c => c.type === 'Ready' && c.status === 'True');
}

function containerStatus(
  pod: KubeObject,
  container: { name: string; image: string },
  health: PodHealth,
  now: string,
  restarts: number,
) {
  const seed = `${pod.metadata.namespace}/${pod.metadata.name}/${container.name}`;
  const base = {
    name: container.name,
    image: container.image,
    imageID:
      health === 'imagepull'
        ? ''
        : `${container.image.split(':')[0]}@${fakeDigest(container.image)}`,
    containerID:
      health === 'imagepull' || health === 'starting'
        ? undefined
        : fakeContainerId(seed),
    restartCount: 0,
    ready: health === 'ready',
    started: health === 'ready',
  };
  switch (health) {
    case 'ready':
      return {
        ...base,
        state: { running: { startedAt: pod.status?.startTime ?? now } },
      };
    case 'starting':
      return { ...base, state: { waiting: { reason: 'ContainerCreating' } } };
    case 'imagepull':
      return {
        ...base,
        state: {
          waiting: {
            reason: 'ImagePullBackOff',
            message: `Back-off pulling image "${container.image}"`,
          },
        },
      };
    case 'crashloop':
    default:
      return {
        ...base,
        restartCount: restarts,
        state: {
          waiting: {
            reason: 'CrashLoopBackOff',
            message: `back-off 5m0s restarting failed container=${container.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
          },
        },
        lastState: {
          terminated: {
            exitCode: 1,
            reason: 'Error',
            startedAt: now,
            finishedAt: now,
            containerID: fakeContainerId(seed),
          },
        },
      };
  }
}

/** Rewrites a pod's status for a simulated health. */
export function setPodHealth(pod: KubeObject, health: PodHealth): void {
  const now = nowTimestamp();
  const previous = pod.status?.containerStatuses as
    | Array<{ restartCount?: number }>
    | undefined;
  const restarts = Math.max(
    5,
    ...(previous ?? []).map(c => (c.restartCount ?? 0) + 1),
  );
  const containers: Array<{ name: string; image: string }> =
    pod.spec?.containers ?? [];
  const ready = health === 'ready' ? 'True' : 'False';
  const scheduled = pod.status?.conditions?.find(
    (c: { type: string }) => c.type === 'PodScheduled',
  );
  const notReadyReason =
    health === 'starting' ? undefined : 'ContainersNotReady';
  const notReadyMessage =
    health === 'starting'
      ? undefined
      : `containers with unready status: [${containers
          .map(c => c.name)
          .join(' ')}]`;
  const transition = (type: string, status: string) => ({
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime: now,
    ...(status === 'False' && notReadyReason
      ? { reason: notReadyReason, message: notReadyMessage }
      : {}),
  });
  pod.status = {
    phase: health === 'ready' || health === 'crashloop' ? 'Running' : 'Pending',
    conditions: [
      transition('Initialized', 'True'),
      transition('Ready', ready),
      transition('ContainersReady', ready),
      scheduled ?? transition('PodScheduled', 'True'),
    ],
    hostIP: fakeIp('192.168', NODE_NAME),
    podIP: fakeIp('10.244', `${pod.metadata.namespace}/${pod.metadata.name}`),
    podIPs: [
      {
        ip: fakeIp('10.244', `${pod.metadata.namespace}/${pod.metadata.name}`),
      },
    ],
    startTime: pod.status?.startTime ?? now,
    qosClass: 'BestEffort',
    containerStatuses: containers.map(c =>
      containerStatus(pod, c, health, now, restarts),
    ),
  };
  pod.status.podIP = pod.status.podIPs[0].ip;
}
