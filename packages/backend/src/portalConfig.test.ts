import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import request from 'supertest';
import { ConfigReader } from '@backstage/config';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import authPlugin from '@backstage/plugin-auth-backend';
import githubProviderModule from '@backstage/plugin-auth-backend-module-github-provider';
import { demoSignInFeatures } from './modules/demoAuth';
import { publicExposure } from './modules/demoSignInGuard';

// Starting the auth backend is slow on a loaded 2-core CI machine.
jest.setTimeout(60_000);

/*
 * The shipped configs, read the way ladderConfig.test.ts reads app-config.yaml and merged the
 * way the backend merges `--config app-config.yaml --config app-config.production.yaml`.
 */

const read = (file: string) =>
  parse(
    fs.readFileSync(path.resolve(__dirname, '../../..', file), 'utf8'),
    // ${VARS} are substituted at load time; fake values stand in for them here.
    (_key, value) =>
      typeof value === 'string'
        ? value.replace(/\$\{(\w+)\}/g, (_, name: string) =>
            name.endsWith('_URL')
              ? `https://${name.toLowerCase().replace(/_/g, '-')}.fake.example`
              : `${name}-FAKE`,
          )
        : value,
  );
const defaults = read('app-config.yaml');
const production = read('app-config.production.yaml');
const embedded = new ConfigReader(defaults);
const merged = ConfigReader.fromConfigs([
  { data: defaults, context: 'app-config.yaml' },
  { data: production, context: 'app-config.production.yaml' },
]);

describe('the shipped configs', () => {
  const nodeEnv = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = nodeEnv;
  });

  it('binds the embedded default to loopback, where demo sign-in may start', () => {
    expect(embedded.getString('backend.listen.host')).toBe('127.0.0.1');
    expect(embedded.has('auth.providers.demo')).toBe(true);
    expect(publicExposure(embedded, 'development')).toEqual([]);
  });

  it('has no guest or demo provider in production, and configures GitHub sign-in', () => {
    expect(merged.has('auth.providers.guest')).toBe(false);
    expect(merged.has('auth.providers.demo')).toBe(false);
    expect(merged.getString('auth.providers.github.production.clientId')).toBe(
      'AUTH_GITHUB_CLIENT_ID-FAKE',
    );
    // It listens on every interface, which is exactly where demo sign-in must not be.
    expect(publicExposure(merged, 'production')).not.toEqual([]);
  });

  it('starts the auth backend from the production config with GitHub sign-in only', async () => {
    process.env.NODE_ENV = 'production';
    const backend = await startTestBackend({
      features: [
        authPlugin,
        githubProviderModule,
        demoSignInFeatures,
        mockServices.rootConfig.factory({
          data: {
            app: merged.get('app'),
            backend: { baseUrl: merged.getString('backend.baseUrl') },
            auth: merged.get('auth'),
          },
        }),
      ],
    });
    try {
      for (const provider of ['guest', 'demo']) {
        const res = await request(backend.server).post(
          `/api/auth/${provider}/refresh`,
        );
        expect(res.status).toBe(404);
      }
      const github = await request(backend.server).get(
        '/api/auth/github/start?env=production',
      );
      expect(github.status).toBe(302);
      expect(github.headers.location).toMatch(
        /^https:\/\/github\.com\/login\/oauth\/authorize\?.*client_id=AUTH_GITHUB_CLIENT_ID-FAKE/,
      );
    } finally {
      await backend.stop();
    }
  });

  it.each([
    ['the embedded default', embedded],
    ['production', merged],
  ])(
    'lets Users and Groups come only from the org location in %s',
    (_, config) => {
      const kinds = (rules: Array<{ allow: string[] }> | undefined) =>
        (rules ?? []).flatMap(r => r.allow.map(k => k.toLowerCase()));
      const global = kinds(config.get<any>('catalog.rules'));
      expect(global).not.toContain('user');
      expect(global).not.toContain('group');
      const orgLocations = config
        .get<Array<{ target: string; rules?: Array<{ allow: string[] }> }>>(
          'catalog.locations',
        )
        .filter(l => kinds(l.rules).some(k => k === 'user' || k === 'group'));
      expect(orgLocations).toHaveLength(1);
      expect(kinds(orgLocations[0].rules).sort()).toEqual(['group', 'user']);
    },
  );
});
