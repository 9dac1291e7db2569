import {
  createMockDirectory,
  mockServices,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import path from 'node:path';
import fs from 'node:fs';
import {
  createCatalogRegisterLocalAction,
  localCatalogLocationRef,
} from './registerLocal';

const descriptor = `apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: shop
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: orders-api
  annotations:
    khal.ai/ladder: khal
spec:
  type: service
  lifecycle: experimental
  owner: group:default/fdes
`;

describe('khal:catalog:register-local', () => {
  const workspace = createMockDirectory();
  const catalog = createMockDirectory();
  const config = mockServices.rootConfig({
    data: {
      khal: { localCatalog: { root: catalog.path } },
      catalog: {
        locations: [
          { type: 'url', target: 'https://example.com/catalog-info.yaml' },
          {
            type: 'file',
            target: path.join(catalog.path, '*', 'catalog-info.yaml'),
          },
        ],
      },
    },
  });
  const catalogService = catalogServiceMock.mock();
  const action = createCatalogRegisterLocalAction({
    config,
    catalog: catalogService,
  });

  beforeEach(() => {
    workspace.setContent({ 'catalog-info.yaml': descriptor });
    catalog.clear();
    catalogService.refreshEntity.mockReset();
  });

  it('asks the catalog to re-read the file location that covers the folder', async () => {
    const locationRef = localCatalogLocationRef(config, catalog.path);
    expect(locationRef).toMatch(/^location:default\/generated-[0-9a-f]{40}$/);
    await action.handler(context({ name: 'orders-api' }));
    expect(catalogService.refreshEntity).toHaveBeenCalledWith(locationRef, {
      credentials: expect.anything(),
    });
  });

  it('still registers when no catalog location covers the folder', async () => {
    const bare = createCatalogRegisterLocalAction({
      config: mockServices.rootConfig({
        data: { khal: { localCatalog: { root: catalog.path } } },
      }),
      catalog: catalogService,
    });
    await bare.handler(context({ name: 'orders-api' }));
    expect(fs.existsSync(catalog.resolve('orders-api/catalog-info.yaml'))).toBe(
      true,
    );
    expect(catalogService.refreshEntity).not.toHaveBeenCalled();
  });

  function context(
    input: Record<string, unknown>,
    extra: { isDryRun?: boolean } = {},
  ) {
    return {
      ...createMockActionContext({
        workspacePath: workspace.path,
        input: input as any,
      }),
      ...extra,
    };
  }

  it('copies the descriptor where the catalog file glob finds it', async () => {
    const ctx = context({ name: 'orders-api' });
    await action.handler(ctx);
    const target = catalog.resolve('orders-api/catalog-info.yaml');
    expect(fs.readFileSync(target, 'utf8')).toBe(descriptor);
    expect(ctx.output).toHaveBeenCalledWith(
      'entityRef',
      'component:default/orders-api',
    );
    expect(ctx.output).toHaveBeenCalledWith('catalogInfoPath', target);
  });

  it('refuses to overwrite a registered descriptor', async () => {
    await action.handler(context({ name: 'orders-api' }));
    await expect(
      action.handler(context({ name: 'orders-api' })),
    ).rejects.toThrow(/already exists/);
  });

  it('refuses a bad folder name and a descriptor outside the workspace', async () => {
    await expect(action.handler(context({ name: '../x' }))).rejects.toThrow(
      /not a valid folder name/,
    );
    await expect(
      action.handler(
        context({ name: 'x', catalogInfoPath: '../catalog-info.yaml' }),
      ),
    ).rejects.toThrow(/leaves the workspace/);
    expect(fs.readdirSync(catalog.path)).toEqual([]);
  });

  describe('refuses a descriptor outside the workspace', () => {
    const outside = createMockDirectory();
    beforeEach(() => {
      outside.setContent({ 'catalog-info.yaml': descriptor });
    });

    it('given as an absolute path', async () => {
      await expect(
        action.handler(
          context({
            name: 'x',
            catalogInfoPath: outside.resolve('catalog-info.yaml'),
          }),
        ),
      ).rejects.toThrow(
        /catalogInfoPath ".*catalog-info.yaml" is an absolute path — fix: give a path relative to the workspace/,
      );
      expect(fs.readdirSync(catalog.path)).toEqual([]);
    });

    it('through a symlinked file', async () => {
      fs.symlinkSync(
        outside.resolve('catalog-info.yaml'),
        workspace.resolve('linked.yaml'),
      );
      await expect(
        action.handler(context({ name: 'x', catalogInfoPath: 'linked.yaml' })),
      ).rejects.toThrow(
        /catalogInfoPath "linked.yaml" goes through a symlink that points outside the workspace/,
      );
      expect(fs.readdirSync(catalog.path)).toEqual([]);
    });

    it('through a symlinked folder', async () => {
      fs.symlinkSync(outside.path, workspace.resolve('elsewhere'));
      await expect(
        action.handler(
          context({
            name: 'x',
            catalogInfoPath: 'elsewhere/catalog-info.yaml',
          }),
        ),
      ).rejects.toThrow(/goes through a symlink that points outside/);
      expect(fs.readdirSync(catalog.path)).toEqual([]);
    });
  });

  it('writes nothing in a dry-run', async () => {
    const ctx = context({ name: 'orders-api' }, { isDryRun: true });
    await action.handler(ctx);
    expect(fs.readdirSync(catalog.path)).toEqual([]);
    expect(catalogService.refreshEntity).not.toHaveBeenCalled();
    expect(ctx.output).toHaveBeenCalledWith(
      'entityRef',
      'component:default/orders-api',
    );
  });
});
