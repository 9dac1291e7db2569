import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import type { LoggerService } from '@backstage/backend-plugin-api';
import express from 'express';
import request from 'supertest';
import {
  BackgroundQuietLogger,
  markBackgroundRequests,
} from './backgroundLogs';

/** Every line written, with its level and whether an Error (its stack) went with it. */
function capture() {
  const lines: Array<{ level: string; message: string; error: boolean }> = [];
  const make = (): LoggerService => {
    const at = (level: string) => (message: string, meta?: Error | object) =>
      lines.push({ level, message, error: meta instanceof Error });
    return {
      error: at('error'),
      warn: at('warn'),
      info: at('info'),
      debug: at('debug'),
      child: () => make(),
    };
  };
  return { lines, logger: new BackgroundQuietLogger(make()) };
}

/**
 * The root chain as @backstage/backend-defaults builds it (its request logging and error
 * middleware), and a stand-in for the kubernetes proxy behind the marker: a cluster that is down,
 * which the proxy logs with the error (its stack) and answers 500, plus an audit line.
 */
function backend(logger: LoggerService) {
  const middleware = MiddlewareFactory.create({
    config: new ConfigReader({}),
    logger,
  });
  const plugin = express.Router();
  plugin.use(
    markBackgroundRequests(mockServices.httpAuth({ pluginId: 'kubernetes' })),
  );
  plugin.get('/proxy/*', (_req, res) => {
    logger
      .child({ isAuditEvent: true })
      .info('kubernetes.cluster-fetch', { status: 'initiated' });
    // An answer later, as the proxy's socket error would come.
    setTimeout(() => {
      logger
        .child({ cluster: 'prod-oke' })
        .error('Kubernetes proxy error', new Error('connect ECONNREFUSED'));
      res
        .status(500)
        .json({ error: { name: 'Error', message: 'connect ECONNREFUSED' } });
    }, 5);
  });
  const app = express();
  app.use(middleware.logging());
  app.use('/api/kubernetes', plugin);
  app.use(middleware.error());
  return app;
}

describe('logs of the background requests the ladder makes', () => {
  it('writes what serving the ladder’s own reads logs at debug: no info line, no stack', async () => {
    const { lines, logger } = capture();
    const app = backend(logger);
    for (let i = 0; i < 5; i++) {
      await request(app)
        .get('/api/kubernetes/proxy/apis/apps/v1/deployments')
        .set(
          'Authorization',
          mockCredentials.service.header({
            onBehalfOf: mockCredentials.service('plugin:ladder'),
            targetPluginId: 'kubernetes',
          }),
        )
        .expect(500);
    }
    // Access line, audit line and the proxy's error, per request: all of them debug.
    expect(lines).toHaveLength(15);
    expect(lines.filter(l => l.level !== 'debug')).toEqual([]);
  });

  it('logs a person’s request, and another service’s, as before', async () => {
    const { lines, logger } = capture();
    const app = backend(logger);
    await request(app)
      .get('/api/kubernetes/proxy/api/v1/namespaces/shop/events')
      .set('Authorization', mockCredentials.user.header('user:default/olga'))
      .expect(500);
    await request(app)
      .get('/api/kubernetes/proxy/api/v1/namespaces/shop/events')
      .set(
        'Authorization',
        mockCredentials.service.header({
          onBehalfOf: mockCredentials.service('plugin:scaffolder'),
          targetPluginId: 'kubernetes',
        }),
      )
      .expect(500);
    for (const who of [0, 1]) {
      const mine = lines.slice(who * 3, who * 3 + 3);
      expect(mine.map(l => l.level).sort()).toEqual(['error', 'info', 'info']);
      expect(mine.find(l => l.level === 'error')).toMatchObject({
        message: 'Kubernetes proxy error',
        error: true,
      });
      expect(
        mine.some(l =>
          l.message.includes(
            '"GET /api/kubernetes/proxy/api/v1/namespaces/shop/events',
          ),
        ),
      ).toBe(true);
    }
  });
});
