import { createMockDirectory } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import fs from 'node:fs';
import { createManifestValidateAction } from './validateManifest';

const goodManifest = {
  apiVersion: 'khal.ai/v1',
  name: 'orders-api',
  title: 'Orders API',
  owner: 'group:default/team-orders',
  runtime: { kind: 'node', start: 'node dist/index.js' },
  env: [{ name: 'LOG_LEVEL', required: false, default: 'info' }],
};

describe('khal:manifest:validate', () => {
  const workspace = createMockDirectory();
  const outside = createMockDirectory();
  const action = createManifestValidateAction();

  beforeEach(() => {
    workspace.clear();
    outside.clear();
  });

  function context(
    input: Record<string, unknown> = {},
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

  it('outputs valid for a good manifest', async () => {
    workspace.setContent({ 'khal-app.json': JSON.stringify(goodManifest) });
    const ctx = context();
    await action.handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith('valid', true);
    expect(ctx.output).toHaveBeenCalledWith('problems', []);
  });

  it('fails the step on problems by default, naming the JSON path', async () => {
    const broken = {
      ...goodManifest,
      env: [{ name: 'API_KEY', secret: true, default: 'x' }],
    };
    workspace.setContent({ 'khal-app.json': JSON.stringify(broken) });
    const ctx = context();
    await expect(action.handler(ctx)).rejects.toThrow(
      /khal-app.json has 1 problem:\n\$\.env\[0\]\.default: secret settings never have a default — fix: /,
    );
    expect(ctx.output).toHaveBeenCalledWith('valid', false);
  });

  it('only reports the problems when failOnProblems is false', async () => {
    workspace.setContent({
      'app/khal-app.json': JSON.stringify({
        ...goodManifest,
        env: [{ name: 'bad name' }],
      }),
    });
    const ctx = context({ path: 'app/khal-app.json', failOnProblems: false });
    await action.handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith('valid', false);
    expect(ctx.output).toHaveBeenCalledWith('problems', [
      expect.objectContaining({
        path: '$.env[0].name',
        fix: expect.any(String),
      }),
    ]);
  });

  it('reports invalid JSON with its position', async () => {
    workspace.setContent({ 'khal-app.json': '{ "name": ' });
    const ctx = context({ failOnProblems: false });
    await action.handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith('problems', [
      expect.objectContaining({
        path: '$',
        message: expect.stringMatching(/invalid JSON at line 1/),
      }),
    ]);
  });

  it('reports a missing manifest as a problem', async () => {
    const ctx = context({ failOnProblems: false });
    await action.handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith('problems', [
      expect.objectContaining({
        path: '$',
        message: 'there is no khal-app.json in the workspace',
      }),
    ]);
  });

  it('validates in a dry-run too (it only reads the workspace)', async () => {
    workspace.setContent({ 'khal-app.json': JSON.stringify(goodManifest) });
    const ctx = context({}, { isDryRun: true });
    await action.handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith('valid', true);
  });

  it('refuses paths outside the workspace', async () => {
    outside.setContent({ 'khal-app.json': JSON.stringify(goodManifest) });
    await expect(
      action.handler(context({ path: '../khal-app.json' })),
    ).rejects.toThrow(/leaves the workspace/);
    await expect(
      action.handler(context({ path: outside.resolve('khal-app.json') })),
    ).rejects.toThrow(/is an absolute path/);
    fs.symlinkSync(outside.path, workspace.resolve('link'));
    await expect(
      action.handler(context({ path: 'link/khal-app.json' })),
    ).rejects.toThrow(/symlink that points outside the workspace/);
    fs.symlinkSync(
      outside.resolve('khal-app.json'),
      workspace.resolve('khal-app.json'),
    );
    await expect(action.handler(context({}))).rejects.toThrow(
      /path "khal-app.json" goes through a symlink that points outside the workspace/,
    );
  });
});
