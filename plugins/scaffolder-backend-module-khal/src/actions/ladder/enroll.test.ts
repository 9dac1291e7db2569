import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import { createLadderEnrollAction, khalCommand } from './enroll';

type Received = {
  method?: string;
  url?: string;
  authorization?: string;
  body: unknown;
};

describe('khal:ladder:enroll', () => {
  let server: http.Server;
  let baseUrl: string;
  let received: Received[];
  let reply: { status: number; body: unknown };

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', chunk => {
        raw += chunk;
      });
      req.on('end', () => {
        received.push({
          method: req.method,
          url: req.url,
          authorization: req.headers.authorization,
          body: raw ? JSON.parse(raw) : undefined,
        });
        res.writeHead(reply.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(reply.body));
      });
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${
      (server.address() as AddressInfo).port
    }/api/ladder`;
  });

  afterAll(async () => {
    await new Promise(resolve => server.close(resolve));
  });

  beforeEach(() => {
    received = [];
    reply = {
      status: 201,
      body: {
        entityRef: 'component:default/orders-api',
        ladderId: 'khal',
        rungId: 'local',
        ref: 'abc123',
        via: 'enrollment',
        promotionId: null,
        placedAt: '2026-11-23T12:00:00Z',
        placedBy: 'plugin:scaffolder',
      },
    };
  });

  const auth = mockServices.auth({ pluginId: 'scaffolder' });
  const discovery = mockServices.discovery.mock({
    getBaseUrl: async pluginId => baseUrl.replace(/ladder$/, pluginId),
    getExternalBaseUrl: async pluginId =>
      `https://portal.example.com/api/${pluginId}`,
  });
  const action = createLadderEnrollAction({ auth, discovery });
  const input = { entityRef: 'component:default/orders-api', ref: 'abc123' };

  it('enrolls on behalf of the person who ran the template, not with the scaffolder service token', async () => {
    const ctx = {
      ...createMockActionContext({ input }),
      getInitiatorCredentials: async () =>
        mockCredentials.user('user:default/alice'),
    };
    await action.handler(ctx);

    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request).toMatchObject({
      method: 'POST',
      url: '/api/ladder/enrollments',
      body: input,
    });
    const token = request.authorization!.replace(/^Bearer /, '');
    const credentials = await mockServices
      .auth({ pluginId: 'ladder' })
      .authenticate(token);
    expect(credentials.principal).toMatchObject({
      type: 'user',
      userEntityRef: 'user:default/alice',
    });
    expect(ctx.output).toHaveBeenCalledWith('rung', 'local');
    expect(ctx.output).toHaveBeenCalledWith('ref', 'abc123');
    // How to run khal and log in, for the template's "Next steps": the CLI of this workspace.
    expect(ctx.output).toHaveBeenCalledWith(
      'khal',
      `node ${path.resolve(__dirname, '../../../../../packages/cli/bin/khal')}`,
    );
    expect(ctx.output).toHaveBeenCalledWith(
      'portal',
      'https://portal.example.com',
    );
  });

  it('names the published CLI when none is installed beside the backend', () => {
    expect(
      khalCommand(() => {
        throw new Error('Cannot find module');
      }),
    ).toBe('npx @khal/cli');
    expect(khalCommand(() => '/opt/khal ladder/cli/package.json')).toBe(
      'npx @khal/cli',
    );
  });

  it('treats 409 (already enrolled) as success', async () => {
    reply = {
      status: 409,
      body: { error: { name: 'ConflictError', message: 'already enrolled' } },
    };
    const ctx = createMockActionContext({ input });
    await action.handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith('rung', 'already-enrolled');
    expect(ctx.output).toHaveBeenCalledWith('ref', 'abc123');
  });

  it("fails the step with the backend's message on other errors", async () => {
    reply = {
      status: 400,
      body: {
        error: {
          name: 'InputError',
          message:
            'component:default/orders-api has no khal.ai/ladder annotation',
        },
        response: { statusCode: 400 },
      },
    };
    await expect(
      action.handler(createMockActionContext({ input })),
    ).rejects.toThrow(
      /refused to enroll component:default\/orders-api at abc123 \(HTTP 400\): component:default\/orders-api has no khal.ai\/ladder annotation/,
    );
  });

  it('only logs in a dry-run', async () => {
    const ctx = { ...createMockActionContext({ input }), isDryRun: true };
    await action.handler(ctx);
    expect(received).toHaveLength(0);
    expect(ctx.output).toHaveBeenCalledWith('rung', 'dry-run');
    expect(ctx.output).toHaveBeenCalledWith('ref', 'abc123');
  });

  describe('waiting for the catalog', () => {
    const entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'orders-api', namespace: 'default' },
    };

    it('enrolls once the catalog serves the newly registered entity', async () => {
      let lookups = 0;
      const catalog = catalogServiceMock.mock({
        getEntityByRef: jest.fn(async () => {
          lookups += 1;
          // The ladder must not be called before the catalog has the entity.
          expect(received).toHaveLength(0);
          return lookups < 3 ? undefined : entity;
        }),
      });
      const waiting = createLadderEnrollAction({ auth, discovery, catalog });
      const ctx = createMockActionContext({ input });
      await waiting.handler(ctx);
      expect(lookups).toBe(3);
      expect(catalog.getEntityByRef).toHaveBeenCalledWith(
        'component:default/orders-api',
        expect.objectContaining({ credentials: expect.anything() }),
      );
      expect(received).toHaveLength(1);
      expect(ctx.output).toHaveBeenCalledWith('rung', 'local');
    });

    it('fails naming the entity and where to look when it never appears', async () => {
      const catalog = catalogServiceMock({ entities: [] });
      const waiting = createLadderEnrollAction({ auth, discovery, catalog });
      await expect(
        waiting.handler(
          createMockActionContext({
            input: { ...input, catalogWaitSeconds: 0 },
          }),
        ),
      ).rejects.toThrow(
        /component:default\/orders-api did not appear in the catalog within 0s, so it cannot be placed on its ladder — fix: .*processing error/,
      );
      expect(received).toHaveLength(0);
    });

    it('neither waits nor enrolls in a dry-run', async () => {
      const catalog = catalogServiceMock.mock();
      const waiting = createLadderEnrollAction({ auth, discovery, catalog });
      const ctx = { ...createMockActionContext({ input }), isDryRun: true };
      await waiting.handler(ctx);
      expect(catalog.getEntityByRef).not.toHaveBeenCalled();
      expect(received).toHaveLength(0);
      expect(ctx.output).toHaveBeenCalledWith('rung', 'dry-run');
    });
  });
});
