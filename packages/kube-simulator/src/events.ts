/*
 * core/v1 Events the deployment controller would record (ScalingReplicaSet),
 * so `kubectl describe`-style readers see the rollout history.
 */
import { KubeObject } from './types';
import { ObjectStore } from './store';
import { typeOfKind } from './resources';
import { nowTimestamp } from './objectDefaults';
import { newUid } from './names';

let sequence = 0;

/** Records a Normal (or Warning) Event about an object. */
export function recordEvent(
  store: ObjectStore,
  involved: KubeObject,
  reason: string,
  message: string,
  type: 'Normal' | 'Warning' = 'Normal',
): void {
  sequence += 1;
  const now = nowTimestamp();
  const name = `${involved.metadata.name}.${Date.now().toString(16)}${sequence
    .toString(16)
    .padStart(4, '0')}`;
  store.put(typeOfKind('Event'), {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name,
      namespace: involved.metadata.namespace ?? 'default',
      uid: newUid(),
      creationTimestamp: now,
    },
    involvedObject: {
      apiVersion: involved.apiVersion,
      kind: involved.kind,
      name: involved.metadata.name,
      namespace: involved.metadata.namespace,
      uid: involved.metadata.uid,
      resourceVersion: involved.metadata.resourceVersion,
    },
    reason,
    message,
    source: { component: 'deployment-controller' },
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
    type,
    eventTime: null,
    reportingComponent: 'deployment-controller',
    reportingInstance: '',
  });
}
