import request from 'supertest';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import authPlugin from '@backstage/plugin-auth-backend';
import { DEMO_USER_HEADER, demoSignInFeatures } from './demoAuth';

// Starting the auth backend is slow on a loaded 2-core CI machine.
jest.setTimeout(60_000);

/*
 * The sign-in providers without credentials as the portal adds them (index.ts), with the real
 * auth backend: where they refuse to start, and that they work where they may.
 */

const embeddedDefault = {
  app: { baseUrl: 'http://localhost:3000' },
  auth: {
    environment: 'development',
    providers: { guest: {}, demo: { users: ['alice', 'olga'] } },
  },
};

async function startWith(
  listen: string | { port: number; host: string },
  extra: { khal?: { demo: { allowOnNetwork: boolean } } } = {},
) {
  const logger = mockServices.rootLogger.mock();
  logger.child.mockReturnValue(logger);
  const backend = await startTestBackend({
    features: [
      authPlugin,
      demoSignInFeatures,
      logger.factory,
      mockServices.rootConfig.factory({
        data: {
          ...embeddedDefault,
          backend: { baseUrl: 'http://localhost:7007', listen },
          ...extra,
        },
      }),
    ],
  });
  return { backend, logger };
}

describe('demo and guest sign-in in the portal backend', () => {
  const nodeEnv = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = nodeEnv;
  });

  it.each([
    ['0.0.0.0', { port: 7007, host: '0.0.0.0' }],
    ['::', { port: 7007, host: '::' }],
    ['":7007"', ':7007'],
  ])(
    'bypass: the backend listens on %s with demo sign-in (refuses to start)',
    async (_, listen) => {
      await expect(startWith(listen)).rejects.toThrow(
        /Refusing to start: The (guest|demo) sign-in provider/,
      );
    },
  );

  it('bypass: demo sign-in with NODE_ENV=production on loopback (refuses to start)', async () => {
    process.env.NODE_ENV = 'production';
    await expect(startWith({ port: 7007, host: '127.0.0.1' })).rejects.toThrow(
      /Refusing to start: .* NODE_ENV is "production"/,
    );
  });

  it('starts on loopback, and demo sign-in answers', async () => {
    const { backend, logger } = await startWith({
      port: 7007,
      host: '127.0.0.1',
    });
    try {
      // No user named: the demo provider itself answers, saying what is missing.
      const res = await request(backend.server).post('/api/auth/demo/refresh');
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(DEMO_USER_HEADER);
      expect(logger.warn).not.toHaveBeenCalledWith(
        expect.stringContaining('allowOnNetwork'),
      );
    } finally {
      await backend.stop();
    }
  });

  it('starts beyond loopback with khal.demo.allowOnNetwork, warning for each provider', async () => {
    const { backend, logger } = await startWith(':7007', {
      khal: { demo: { allowOnNetwork: true } },
    });
    try {
      const warnings = logger.warn.mock.calls
        .map(([message]) => String(message))
        .filter(m => m.includes('khal.demo.allowOnNetwork is true'));
      expect(warnings).toEqual([
        expect.stringContaining('The guest sign-in provider'),
        expect.stringContaining('The demo sign-in provider'),
      ]);
    } finally {
      await backend.stop();
    }
  });

  it('adds neither provider when neither is configured (the production config)', async () => {
    const logger = mockServices.rootLogger.mock();
    logger.child.mockReturnValue(logger);
    const backend = await startTestBackend({
      features: [
        authPlugin,
        demoSignInFeatures,
        logger.factory,
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://localhost:3000' },
            backend: { baseUrl: 'http://localhost:7007', listen: ':7007' },
            auth: { environment: 'production', providers: {} },
          },
        }),
      ],
    });
    try {
      const res = await request(backend.server).post('/api/auth/demo/refresh');
      expect(res.status).toBe(404);
    } finally {
      await backend.stop();
    }
  });
});
