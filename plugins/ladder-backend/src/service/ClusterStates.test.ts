import type { Entity } from '@backstage/catalog-model';
import { parseLadderConfig } from '@khal/plugin-ladder-common';
import type { ClusterStateProvider } from '@khal/plugin-ladder-node';
import { ClusterStateCache } from './ClusterStates';
import type { LadderEntity } from './LadderEntities';

const ladder = parseLadderConfig({
  ladders: [
    {
      id: 'khal',
      title: 'Khal',
      rungs: [
        {
          id: 'local',
          title: 'Local',
          runtime: 'pm2',
          mutationPolicy: 'self',
          host: 'localhost',
        },
        {
          id: 'dev',
          title: 'Dev',
          runtime: 'k8s',
          mutationPolicy: 'self',
          kubernetes: { cluster: 'dev', namespace: 'apps' },
        },
      ],
    },
  ],
}).ladders[0];

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'shop', namespace: 'default' },
};
const target: LadderEntity = {
  entity,
  entityRef: 'component:default/shop',
  ladder,
};

/** A cluster whose running ref the test sets, counting how often it is asked. */
function cluster() {
  const state = {
    runningRef: 'aaa',
    calls: 0,
    hold: undefined as Promise<void> | undefined,
  };
  const provider: ClusterStateProvider = {
    async getState({ rung }) {
      state.calls++;
      const runningRef = state.runningRef;
      await state.hold;
      return {
        cluster: rung.kubernetes!.cluster,
        namespace: 'apps',
        reachable: true,
        runningRef,
        checkedAt: new Date().toISOString(),
      };
    },
  };
  return { state, provider };
}

const running = (states: Awaited<ReturnType<ClusterStateCache['read']>>) =>
  states[1]?.runningRef;

describe('ClusterStateCache', () => {
  let clock = 0;
  const cache = (maxAgeMs = 1000) =>
    new ClusterStateCache({ maxAgeMs, now: () => clock });
  beforeEach(() => {
    clock = 1_000_000;
  });

  it('serves a young answer without asking the cluster again', async () => {
    const { state, provider } = cluster();
    const c = cache();
    expect(running(await c.read(provider, target))).toBe('aaa');
    state.runningRef = 'bbb';
    clock += 999;
    expect(running(await c.read(provider, target))).toBe('aaa');
    expect(state.calls).toBe(1); // only the Kubernetes rung is asked, once
  });

  it('serves a stale answer while fetching a fresh one, then the fresh one', async () => {
    const { state, provider } = cluster();
    const c = cache();
    await c.read(provider, target);
    state.runningRef = 'bbb';
    clock += 1500;
    expect(running(await c.read(provider, target))).toBe('aaa');
    await new Promise(r => setImmediate(r));
    expect(running(await c.read(provider, target))).toBe('bbb');
    expect(state.calls).toBe(2);
  });

  it('waits for the cluster once an answer is too old to show', async () => {
    const { state, provider } = cluster();
    const c = cache();
    await c.read(provider, target);
    state.runningRef = 'bbb';
    clock += 6000;
    expect(running(await c.read(provider, target))).toBe('bbb');
  });

  it('shares one cluster read between concurrent entity reads', async () => {
    const { state, provider } = cluster();
    let release!: () => void;
    state.hold = new Promise(r => (release = r));
    const c = cache();
    const reads = Promise.all([
      c.read(provider, target),
      c.read(provider, target),
      c.read(provider, target),
    ]);
    release();
    expect((await reads).map(running)).toEqual(['aaa', 'aaa', 'aaa']);
    expect(state.calls).toBe(1);
  });

  it('reads afresh after forget (the ladder changed the entity)', async () => {
    const { state, provider } = cluster();
    const c = cache();
    await c.read(provider, target);
    state.runningRef = 'bbb';
    c.forget(target.entityRef);
    expect(running(await c.read(provider, target))).toBe('bbb');
  });

  it("tells the provider how old an observation it accepts: the view's age, never older than the last change, 0 for live", async () => {
    const ages: Array<number | undefined> = [];
    const provider: ClusterStateProvider = {
      async getState({ rung, maxAgeMs }) {
        ages.push(maxAgeMs);
        return { cluster: rung.kubernetes!.cluster, namespace: 'apps', reachable: true, runningRef: 'aaa', checkedAt: new Date(clock).toISOString() };
      },
    };
    const c = cache(5000);
    await c.read(provider, target);
    c.forget(target.entityRef);
    clock += 300;
    await c.read(provider, target);
    await c.read(provider, target, { live: true });
    clock += 60_000;
    c.forget('component:default/other'); // another entity's change is not this one's
    clock += 10;
    await c.read(provider, target);
    expect(ages).toEqual([5000, 299, 0, 5000]);
  });

  it('keeps a live reading remembered meanwhile over an older in-flight one', async () => {
    const { state, provider } = cluster();
    let release!: () => void;
    state.hold = new Promise(r => (release = r));
    const c = cache();
    const slow = c.read(provider, target); // reads 'aaa', held
    c.remember(target.entityRef, [
      undefined,
      {
        cluster: 'dev',
        namespace: 'apps',
        reachable: true,
        runningRef: 'ccc',
        checkedAt: '',
      },
    ]);
    release();
    expect(running(await slow)).toBe('aaa');
    expect(running(await c.read(provider, target))).toBe('ccc');
  });

  it('reads the clusters every time when turned off', async () => {
    const { state, provider } = cluster();
    const c = cache(0);
    await c.read(provider, target);
    await c.read(provider, target);
    expect(state.calls).toBe(2);
  });
});
