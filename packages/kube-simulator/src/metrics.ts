/*
 * metrics.k8s.io/v1beta1 PodMetrics, computed from the running pods with a
 * small deterministic usage per container (metrics-server is not simulated).
 */
import { KubeObject } from './types';
import { isPodReady } from './pods';
import { seededInt } from './names';
import { nowTimestamp } from './objectDefaults';

/** PodMetrics for a pod, or undefined when the pod is not running. */
export function podMetricsFor(pod: KubeObject): KubeObject | undefined {
  if (pod.status?.phase !== 'Running') return undefined;
  const ready = isPodReady(pod);
  const containers: Array<{ name: string }> = pod.spec?.containers ?? [];
  return {
    kind: 'PodMetrics',
    apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: {
      name: pod.metadata.name,
      namespace: pod.metadata.namespace,
      creationTimestamp: nowTimestamp(),
      labels: { ...pod.metadata.labels },
    },
    timestamp: nowTimestamp(),
    window: '30s',
    containers: containers.map(c => {
      const seed = `${pod.metadata.namespace}/${pod.metadata.name}/${c.name}`;
      const cpuMillis = ready ? 5 + seededInt(`cpu:${seed}`, 120) : 1;
      const memoryMi = ready ? 48 + seededInt(`mem:${seed}`, 200) : 8;
      return {
        name: c.name,
        usage: {
          cpu: `${cpuMillis * 1000000}n`,
          memory: `${memoryMi * 1024}Ki`,
        },
      };
    }),
  };
}
