import { designExample } from './__fixtures__/manifestCorpus';
import { diffManifests, KhalAppManifest, validateManifest } from './index';

function manifest(change?: (m: Record<string, any>) => void): KhalAppManifest {
  const raw = designExample();
  change?.(raw);
  const result = validateManifest(raw);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.manifest;
}

describe('diffManifests', () => {
  it('finds nothing between equal manifests', () => {
    expect(diffManifests(manifest(), manifest())).toEqual({
      settingsAdded: [],
      settingsRemoved: [],
      settingsChanged: [],
      runtimeChanges: [],
      identityChanges: [],
      deployChanges: [],
    });
  });

  it('treats a first manifest as all new', () => {
    const to = manifest();
    const diff = diffManifests(undefined, to);
    expect(diff.settingsAdded.map(s => s.name)).toEqual([
      'DATABASE_URL',
      'LOG_LEVEL',
    ]);
    expect(diff.settingsRemoved).toEqual([]);
    expect(diff.runtimeChanges).toEqual([
      { field: 'kind', from: undefined, to: 'node' },
      { field: 'build', from: undefined, to: 'npm run build' },
      { field: 'typecheck', from: undefined, to: 'npm run typecheck' },
      { field: 'start', from: undefined, to: 'node dist/index.js' },
      { field: 'port', from: undefined, to: 8080 },
      { field: 'health', from: undefined, to: '/healthz' },
    ]);
    expect(diff.identityChanges).toEqual([
      { field: 'name', from: undefined, to: 'orders-api' },
      { field: 'title', from: undefined, to: 'Orders API' },
      { field: 'owner', from: undefined, to: 'group:default/team-orders' },
    ]);
    expect(diff.deployChanges).toEqual([
      { field: 'kubernetes.id', from: undefined, to: 'orders-api' },
      { field: 'kubernetes.chart', from: undefined, to: 'deploy/chart' },
    ]);
  });

  it('reports added, removed and changed settings by name', () => {
    const from = manifest();
    const to = manifest(m => {
      m.env = [
        {
          name: 'LOG_LEVEL',
          required: true,
          default: 'warn',
          enum: ['info', 'warn'],
          rungs: ['prod'],
        },
        { name: 'API_TOKEN', secret: true },
      ];
    });
    expect(diffManifests(from, to)).toMatchObject({
      settingsAdded: [{ name: 'API_TOKEN', secret: true, required: true }],
      settingsRemoved: [{ name: 'DATABASE_URL', secret: true }],
      settingsChanged: [
        {
          name: 'LOG_LEVEL',
          changes: [
            { field: 'required', from: false, to: true },
            { field: 'default', from: 'info', to: 'warn' },
            {
              field: 'enum',
              from: ['debug', 'info', 'warn'],
              to: ['info', 'warn'],
            },
            { field: 'rungs', from: undefined, to: ['prod'] },
          ],
        },
      ],
    });
  });

  it('reports a setting turning secret, and ignores rung order', () => {
    const from = manifest(m => (m.env[1].rungs = ['dev', 'prod']));
    const to = manifest(m => {
      m.env[1] = {
        name: 'LOG_LEVEL',
        secret: true,
        required: false,
        enum: ['debug', 'info', 'warn'],
        rungs: ['prod', 'dev'],
      };
    });
    expect(diffManifests(from, to).settingsChanged).toEqual([
      {
        name: 'LOG_LEVEL',
        changes: [
          { field: 'secret', from: false, to: true },
          { field: 'default', from: 'info', to: undefined },
        ],
      },
    ]);
  });

  it('never carries a secret default, even from a hand-built manifest', () => {
    const to = manifest();
    const tampered = {
      ...to,
      env: [{ ...to.env[0], default: 'hunter2' }, to.env[1]],
    } as KhalAppManifest;
    const diff = diffManifests(undefined, tampered);
    expect(JSON.stringify(diff)).not.toContain('hunter2');
    expect(
      JSON.stringify(
        diffManifests(
          tampered,
          manifest(m => (m.env[0].required = false)),
        ),
      ),
    ).not.toContain('hunter2');
  });

  it('reports runtime, identity and deploy changes', () => {
    const from = manifest();
    const to = manifest(m => {
      m.owner = 'group:default/team-payments';
      m.description = 'Now with refunds';
      m.runtime.port = 9090;
      delete m.runtime.typecheck;
      m.deploy.kubernetes.id = 'orders';
      m.deploy.kubernetes.namespace = 'orders';
    });
    const diff = diffManifests(from, to);
    expect(diff.runtimeChanges).toEqual([
      { field: 'typecheck', from: 'npm run typecheck', to: undefined },
      { field: 'port', from: 8080, to: 9090 },
    ]);
    expect(diff.identityChanges).toEqual([
      { field: 'description', from: undefined, to: 'Now with refunds' },
      {
        field: 'owner',
        from: 'group:default/team-orders',
        to: 'group:default/team-payments',
      },
    ]);
    expect(diff.deployChanges).toEqual([
      { field: 'kubernetes.id', from: 'orders-api', to: 'orders' },
      { field: 'kubernetes.namespace', from: undefined, to: 'orders' },
    ]);
  });
});
