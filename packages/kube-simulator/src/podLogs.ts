/*
 * pods/{name}/log: a few plain-text lines per container, clearly simulated,
 * so log viewers (e.g. the Backstage kubernetes plugin) have something to show.
 */
import { KubeObject } from './types';
import { ApiError } from './status';

/** The simulated log of a pod's container (the first one by default). */
export function podLog(pod: KubeObject, container: string | null): string {
  const containers: Array<{ name: string; image: string }> =
    pod.spec?.containers ?? [];
  const chosen = container
    ? containers.find(c => c.name === container)
    : containers[0];
  if (!chosen) {
    throw new ApiError(
      400,
      'BadRequest',
      `container ${container} is not valid for pod ${pod.metadata.name}`,
    );
  }
  const started =
    pod.status?.startTime ??
    pod.metadata.creationTimestamp ??
    new Date().toISOString();
  const waiting = (pod.status?.containerStatuses ?? []).find(
    (c: { name: string }) => c.name === chosen.name,
  )?.state?.waiting?.reason;
  const lines = [
    `${started} [kube-simulator] simulated log of ${pod.metadata.namespace}/${pod.metadata.name} container ${chosen.name} (not a real container)`,
    `${started} INFO starting ${chosen.image}`,
    waiting === 'CrashLoopBackOff'
      ? `${started} ERROR fatal: simulated crash (simulator.khal.ai/crashloop); exiting with code 1`
      : `${started} INFO listening on :8080`,
  ];
  return `${lines.join('\n')}\n`;
}
