import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import {
  SchedulerService,
  coreServices,
  createBackendModule,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService, NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { signalsServiceRef, SignalPayload } from '@backstage/plugin-signals-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { BackendFeature } from '@backstage/backend-plugin-api';
import { ladderPlugin } from '../plugin';

/** The ladder of DESIGN §1, as a test fixture. */
export const ladderConfig = {
  operatorsGroup: 'group:default/operators',
  gateTimeoutMs: 3000,
  ladders: [
    {
      id: 'khal',
      title: 'KhalOS ladder',
      rungs: [
        {
          id: 'local',
          title: 'Local',
          aliases: ['dev-local'],
          runtime: 'pm2',
          mutationPolicy: 'self',
          host: 'localhost',
          entryGates: ['manifest-valid'],
          proofChecks: [{ id: 'evidence', config: { kinds: ['build-output'], rung: 'target' } }],
          commands: { logs: 'pm2 logs {{entity.name}}', rollback: 'git checkout {{ref}}' },
        },
        {
          id: 'mirrored',
          title: 'Mirrored dev-local',
          optional: true,
          runtime: 'pm2-mirror',
          mutationPolicy: 'self',
          host: 'gitea-mirror',
          entryGates: ['previous-rung-proven'],
        },
        {
          id: 'dev',
          title: 'Shared dev',
          runtime: 'kind',
          mutationPolicy: 'after-dry-run',
          kubernetes: { cluster: 'shared-dev', namespace: 'khal-{{entity.name}}' },
          entryGates: ['previous-rung-proven', 'manifest-valid', 'env-contract'],
          proofChecks: [{ id: 'evidence', config: { kinds: ['deploy-output'], rung: 'target' } }],
          commands: {
            logs: 'kubectl -n {{namespace}} logs deploy/{{kubernetesId}}',
            status: 'kubectl -n {{namespace}} rollout status deploy/{{kubernetesId}}',
            dryRun: 'kubectl -n {{namespace}} apply --dry-run=server -f deploy/',
          },
        },
        {
          id: 'hml',
          title: 'Customer HML',
          runtime: 'k3s',
          mutationPolicy: 'approval',
          kubernetes: { cluster: 'customer-hml', namespace: 'khal-{{entity.name}}' },
          approvers: { groups: ['group:default/customer-stakeholders'], minimum: 1 },
          entryGates: ['previous-rung-proven'],
          // No proof checks: its placements are unverified, which production accepts only so.
          proofOptional: true,
        },
        {
          id: 'prod',
          title: 'Production',
          runtime: 'oke',
          mutationPolicy: 'operators',
          kubernetes: { cluster: 'prod-oke', namespace: 'khal-{{entity.name}}' },
          approvers: { groups: ['group:default/operators'], minimum: 2 },
          entryGates: ['previous-rung-proven', 'rollback-plan', 'approval'],
          commands: { logs: 'kubectl --context oke -n {{namespace}} logs deploy/{{kubernetesId}}' },
        },
      ],
    },
  ],
};

export const kubernetesConfig = {
  clusterLocatorMethods: [
    {
      type: 'config',
      clusters: ['shared-dev', 'customer-hml', 'prod-oke'].map(name => ({
        name,
        url: 'http://127.0.0.1:1',
        authProvider: 'serviceAccount',
      })),
    },
  ],
};

const user = (name: string, groups: string[]): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'default' },
  spec: { memberOf: groups },
  relations: groups.map(g => ({ type: 'memberOf', targetRef: `group:default/${g}` })),
});
const group = (name: string, members: string[]): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [] },
  relations: members.map(m => ({ type: 'hasMember', targetRef: `user:default/${m}` })),
});

/** A manifest with a secret setting the dev rung needs. */
export function manifestText(title = 'Orders API') {
  return JSON.stringify(
    {
      apiVersion: 'khal.ai/v1',
      name: 'orders-api',
      title,
      owner: 'group:default/team-orders',
      runtime: { kind: 'node', start: 'node dist/index.js', port: 8080 },
      env: [
        { name: 'DATABASE_URL', required: true, secret: true, rungs: ['dev', 'hml', 'prod'] },
        { name: 'LOG_LEVEL', required: false, default: 'info' },
      ],
      deploy: { kubernetes: { id: 'orders-api' } },
    },
    null,
    2,
  );
}

/** A local git repository with commits of khal-app.json; returns their shas. */
export function createAppRepository(): { dir: string; commits: { a: string; b: string; broken: string } } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ladder-repo-'));
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'Test',
        GIT_AUTHOR_EMAIL: 'test@example.com',
        GIT_COMMITTER_NAME: 'Test',
        GIT_COMMITTER_EMAIL: 'test@example.com',
      },
    }).trim();
  git('init', '-q', '-b', 'main');
  const commit = (text: string, message: string) => {
    fs.writeFileSync(path.join(dir, 'khal-app.json'), text);
    git('add', 'khal-app.json');
    git('commit', '-q', '-m', message);
    return git('rev-parse', 'HEAD');
  };
  const a = commit(manifestText(), 'first');
  const b = commit(manifestText('Orders API v2'), 'second');
  const broken = commit('{"apiVersion": "khal.ai/v1", "name": "Orders API"}', 'broken');
  return { dir, commits: { a, b, broken } };
}

export function catalogEntities(repoDir: string): Entity[] {
  return [
    user('alice', ['team-orders']),
    user('bob', ['team-orders']),
    user('sam', ['customer-stakeholders']),
    user('sue', ['customer-stakeholders']),
    user('olga', ['operators']),
    user('omar', ['operators']),
    user('oscar', ['operators']),
    group('team-orders', ['alice', 'bob']),
    group('customer-stakeholders', ['sam', 'sue']),
    group('operators', ['olga', 'omar', 'oscar']),
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'orders-api',
        namespace: 'default',
        title: 'Orders API',
        annotations: {
          'khal.ai/ladder': 'khal',
          'khal.ai/source-repo': `file:${repoDir}`,
          'backstage.io/kubernetes-id': 'orders-api',
        },
      },
      spec: { type: 'service', owner: 'group:default/team-orders', lifecycle: 'production', system: 'orders' },
      relations: [{ type: 'ownedBy', targetRef: 'group:default/team-orders' }],
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'not-on-ladder', namespace: 'default' },
      spec: { type: 'service', owner: 'group:default/team-orders', lifecycle: 'production' },
    },
  ];
}

/** What the platform services were asked to send, for assertions. */
/**
 * A module that hands the test the ladder plugin's scheduler, so the test runs its tasks (the
 * `ladder-recheck` walk) when it says so: add `feature` to the backend, then `scheduler()`.
 */
export function schedulerCapture(): { feature: BackendFeature; scheduler: () => SchedulerService } {
  let captured: SchedulerService | undefined;
  const feature = createBackendModule({
    pluginId: 'ladder',
    moduleId: 'capture-scheduler',
    register(env) {
      env.registerInit({
        deps: { s: coreServices.scheduler },
        async init({ s }) {
          captured = s;
        },
      });
    },
  });
  return {
    feature,
    scheduler: () => {
      if (!captured) throw new Error('the backend has not started: the scheduler is not captured yet');
      return captured;
    },
  };
}

/** A permissions service deciding by permission name only, as a simple policy would. */
function policyPermissions(decide: (permissionName: string) => AuthorizeResult.ALLOW | AuthorizeResult.DENY) {
  return createServiceFactory({
    service: coreServices.permissions,
    deps: {},
    factory: () => ({
      authorize: async (requests: Array<{ permission: { name: string } }>) =>
        requests.map(r => ({ result: decide(r.permission.name) })),
      authorizeConditional: async (requests: Array<{ permission: { name: string } }>) =>
        requests.map(r => ({ result: decide(r.permission.name) })),
    }) as any,
  });
}

export interface Outbox {
  notifications: NotificationSendOptions[];
  signals: SignalPayload[];
}

/** Starts a test backend with the ladder plugin, the fixture catalog and recording platform services. */
export async function startLadderBackend(options: {
  repoDir: string;
  knex?: Knex;
  deny?: boolean;
  /** A policy deciding per permission name (e.g. read allowed, writes denied); wins over `deny`. */
  policy?: (permissionName: string) => AuthorizeResult.ALLOW | AuthorizeResult.DENY;
  extraFeatures?: BackendFeature[];
  configOverrides?: Record<string, unknown>;
  entities?: Entity[];
}) {
  const outbox: Outbox = { notifications: [], signals: [] };
  const backend = await startTestBackend({
    features: [
      ladderPlugin,
      mockServices.rootConfig.factory({
        data: {
          ladder: {
            ...ladderConfig,
            // The test repositories live in the temp folder; git is run only under this root.
            localRepositoriesRoot: path.dirname(options.repoDir),
            ...options.configOverrides,
          },
          kubernetes: kubernetesConfig,
        },
      }),
      ...(options.knex ? [mockServices.database.factory({ knex: options.knex })] : []),
      ...(options.policy
        ? [policyPermissions(options.policy)]
        : options.deny
          ? [mockServices.permissions.factory({ result: AuthorizeResult.DENY })]
          : []),
      catalogServiceMock.factory({ entities: options.entities ?? catalogEntities(options.repoDir) }),
      createServiceFactory({
        service: notificationService,
        deps: {},
        factory: () => ({ send: async (n: NotificationSendOptions) => void outbox.notifications.push(n) }),
      }),
      createServiceFactory({
        service: signalsServiceRef,
        deps: {},
        factory: () => ({ publish: async (s: SignalPayload<any>) => void outbox.signals.push(s) }),
      }),
      mockServices.events.factory(),
      ...(options.extraFeatures ?? []),
    ],
  });
  return Object.assign(backend, { outbox });
}
