import {
  PatchError,
  jsonPatch,
  mergePatch,
  strategicMergePatch,
} from './patch';

const deployment = {
  spec: {
    replicas: 2,
    template: {
      metadata: { annotations: { a: '1' } },
      spec: {
        containers: [
          { name: 'app', image: 'app:1', env: [{ name: 'A', value: '1' }] },
          { name: 'sidecar', image: 'sidecar:1' },
        ],
      },
    },
  },
};

describe('patches', () => {
  it('merge patch replaces lists and deletes nulls', () => {
    const out = mergePatch(deployment, {
      spec: {
        replicas: null,
        template: { spec: { containers: [{ name: 'app', image: 'app:2' }] } },
      },
    }) as any;
    expect(out.spec.replicas).toBeUndefined();
    expect(out.spec.template.spec.containers).toEqual([
      { name: 'app', image: 'app:2' },
    ]);
    expect(out.spec.template.metadata.annotations).toEqual({ a: '1' });
  });

  it('strategic merge patch merges containers and env by name', () => {
    const out = strategicMergePatch(deployment, {
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'app', image: 'app:2', env: [{ name: 'B', value: '2' }] },
            ],
          },
        },
      },
    }) as any;
    expect(out.spec.template.spec.containers).toEqual([
      {
        name: 'app',
        image: 'app:2',
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
      },
      { name: 'sidecar', image: 'sidecar:1' },
    ]);
    expect(deployment.spec.template.spec.containers[0].image).toBe('app:1');
  });

  it('strategic merge patch honours $patch: delete', () => {
    const out = strategicMergePatch(deployment, {
      spec: {
        template: {
          spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] },
        },
      },
    }) as any;
    expect(out.spec.template.spec.containers.map((c: any) => c.name)).toEqual([
      'app',
    ]);
  });

  it('json patch applies operations', () => {
    const out = jsonPatch(deployment, [
      {
        op: 'replace',
        path: '/spec/template/spec/containers/0/image',
        value: 'app:3',
      },
      { op: 'add', path: '/spec/template/metadata/annotations/b', value: '2' },
      { op: 'remove', path: '/spec/template/spec/containers/1' },
      { op: 'test', path: '/spec/replicas', value: 2 },
    ]) as any;
    expect(out.spec.template.spec.containers).toEqual([
      { name: 'app', image: 'app:3', env: [{ name: 'A', value: '1' }] },
    ]);
    expect(out.spec.template.metadata.annotations).toEqual({ a: '1', b: '2' });
    expect(() =>
      jsonPatch(deployment, [{ op: 'test', path: '/spec/replicas', value: 3 }]),
    ).toThrow(PatchError);
  });
});
