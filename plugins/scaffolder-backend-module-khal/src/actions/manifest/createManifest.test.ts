import { createMockDirectory } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { validateManifest } from '@khal/plugin-ladder-common';
import fs from 'node:fs';
import { createManifestCreateAction } from './createManifest';

describe('khal:manifest:create', () => {
  const workspace = createMockDirectory();
  const outside = createMockDirectory();
  const action = createManifestCreateAction();

  const validInput = {
    name: 'orders-api',
    title: 'Orders API',
    owner: 'group:default/team-orders',
    description: 'Takes customer orders.',
    runtime: {
      kind: 'node',
      build: 'npm run build',
      typecheck: 'npm run typecheck',
      start: 'node dist/index.js',
      port: 8080,
      health: '/healthz',
    },
    settings: [
      {
        name: 'DATABASE_URL',
        description: 'Orders database',
        required: true,
        secret: true,
      },
      { name: 'LOG_LEVEL', required: false, default: 'info' },
    ],
    kubernetesId: 'orders-api',
    chart: 'deploy/chart',
  };

  beforeEach(() => {
    workspace.clear();
    outside.clear();
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

  it('writes a valid khal-app.json and outputs it', async () => {
    const ctx = context(validInput);
    await action.handler(ctx);

    const text = fs.readFileSync(workspace.resolve('khal-app.json'), 'utf8');
    const result = validateManifest(text);
    expect(result.ok).toBe(true);
    const written = JSON.parse(text);
    expect(written).toMatchObject({
      apiVersion: 'khal.ai/v1',
      name: 'orders-api',
      owner: 'group:default/team-orders',
      runtime: { kind: 'node', port: 8080, health: '/healthz' },
      env: [
        { name: 'DATABASE_URL', required: true, secret: true },
        { name: 'LOG_LEVEL', required: false, secret: false, default: 'info' },
      ],
      deploy: { kubernetes: { id: 'orders-api', chart: 'deploy/chart' } },
    });
    expect(written.env[0]).not.toHaveProperty('default');
    expect(ctx.output).toHaveBeenCalledWith('path', 'khal-app.json');
    expect(ctx.output).toHaveBeenCalledWith('manifest', written);
  });

  it('writes into a sub-folder when given a relative path', async () => {
    await action.handler(context({ ...validInput, path: 'app/khal-app.json' }));
    expect(fs.existsSync(workspace.resolve('app/khal-app.json'))).toBe(true);
  });

  it('refuses a secret with a default, naming the field and the fix', async () => {
    const settings = [{ name: 'API_TOKEN', secret: true, default: 'abc' }];
    await expect(
      action.handler(context({ ...validInput, settings })),
    ).rejects.toThrow(
      /\$\.env\[0\]\.default: secret settings never have a default — fix: /,
    );
    expect(fs.existsSync(workspace.resolve('khal-app.json'))).toBe(false);
  });

  it('refuses duplicate setting names', async () => {
    const settings = [{ name: 'LOG_LEVEL' }, { name: 'LOG_LEVEL' }];
    await expect(
      action.handler(context({ ...validInput, settings })),
    ).rejects.toThrow(
      /\$\.env\[1\]\.name: "LOG_LEVEL" is already declared at \$\.env\[0\] — fix: /,
    );
  });

  it('refuses a setting name that is not UPPER_SNAKE', async () => {
    const settings = [{ name: 'database-url' }];
    await expect(
      action.handler(context({ ...validInput, settings })),
    ).rejects.toThrow(
      /\$\.env\[0\]\.name: "database-url" is not UPPER_SNAKE — fix: rename it to "DATABASE_URL"/,
    );
  });

  it('refuses an app name that is not a DNS label', async () => {
    await expect(
      action.handler(context({ ...validInput, name: 'Orders_API' })),
    ).rejects.toThrow(/\$\.name: .* — fix: /);
  });

  it('writes only to the dry-run workspace in a dry-run', async () => {
    const ctx = context(validInput, { isDryRun: true });
    await action.handler(ctx);
    expect(fs.existsSync(workspace.resolve('khal-app.json'))).toBe(true);
    expect(ctx.output).toHaveBeenCalledWith('path', 'khal-app.json');
  });

  describe('path traversal', () => {
    it('refuses ../', async () => {
      await expect(
        action.handler(context({ ...validInput, path: '../khal-app.json' })),
      ).rejects.toThrow(/path "..\/khal-app.json" leaves the workspace/);
      await expect(
        action.handler(
          context({ ...validInput, path: 'a/../../khal-app.json' }),
        ),
      ).rejects.toThrow(/leaves the workspace/);
    });

    it('refuses absolute paths', async () => {
      await expect(
        action.handler(
          context({ ...validInput, path: outside.resolve('khal-app.json') }),
        ),
      ).rejects.toThrow(/is an absolute path/);
      expect(fs.existsSync(outside.resolve('khal-app.json'))).toBe(false);
    });

    it('refuses a symlinked folder that points out of the workspace', async () => {
      fs.symlinkSync(outside.path, workspace.resolve('escape'));
      await expect(
        action.handler(
          context({ ...validInput, path: 'escape/khal-app.json' }),
        ),
      ).rejects.toThrow(/symlink that points outside the workspace/);
      expect(fs.existsSync(outside.resolve('khal-app.json'))).toBe(false);
    });

    it('refuses a symlinked file that points out of the workspace', async () => {
      fs.writeFileSync(outside.resolve('target.json'), '{}');
      fs.symlinkSync(
        outside.resolve('target.json'),
        workspace.resolve('khal-app.json'),
      );
      await expect(action.handler(context(validInput))).rejects.toThrow(
        /symlink that points outside the workspace/,
      );
      expect(fs.readFileSync(outside.resolve('target.json'), 'utf8')).toBe(
        '{}',
      );
    });
  });
});
