import {
  createMockDirectory,
  mockServices,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import { CatalogProcessorResult } from '@backstage/plugin-catalog-node';
import { execFileSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { KhalManifestProcessor } from './KhalManifestProcessor';

const goodManifest = `${JSON.stringify(
  {
    apiVersion: 'khal.ai/v1',
    name: 'orders-api',
    title: 'Orders API',
    owner: 'group:default/fdes',
    runtime: { kind: 'node', start: 'node dist/index.js' },
    env: [{ name: 'DATABASE_URL', secret: true }],
  },
  null,
  2,
)}\n`;
const brokenManifest = goodManifest.replace('DATABASE_URL', 'database-url');

function entity(
  annotations: Record<string, string> = { 'khal.ai/ladder': 'khal' },
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'orders-api', annotations },
    spec: {
      type: 'service',
      lifecycle: 'experimental',
      owner: 'group:default/fdes',
    },
  };
}

describe('KhalManifestProcessor', () => {
  const dir = createMockDirectory();
  const reader = mockServices.urlReader.mock();
  const processor = new KhalManifestProcessor({
    reader,
    localRepositoriesRoot: dir.resolve('repos'),
  });
  let emitted: CatalogProcessorResult[];
  let last: Entity | undefined;
  const emit = (result: CatalogProcessorResult) => emitted.push(result);
  const run = async (...args: Parameters<typeof processor.postProcessEntity>) =>
    (last = await processor.postProcessEntity(...args));
  // A manifest problem never blocks the entity (an emitted error would keep a new entity out of
  // the catalog for good): it travels on the entity as khal.ai/manifest-problem.
  const errors = () => {
    expect(emitted.filter(r => r.type === 'error')).toEqual([]);
    const problem = last?.metadata.annotations?.['khal.ai/manifest-problem'];
    return problem ? [problem] : [];
  };

  beforeEach(() => {
    dir.clear();
    emitted = [];
    last = undefined;
    reader.readUrl.mockReset();
  });

  it('leaves entities without khal.ai/ladder alone', async () => {
    const plain = entity({});
    const location = { type: 'file', target: dir.resolve('catalog-info.yaml') };
    await expect(
      run(plain, location, emit),
    ).resolves.toBe(plain);
    expect(emitted).toEqual([]);
  });

  it('records name and digest of a valid manifest beside a file location', async () => {
    dir.setContent({ 'khal-app.json': goodManifest });
    const location = { type: 'file', target: dir.resolve('catalog-info.yaml') };
    const result = await run(entity(), location, emit);
    expect(emitted).toEqual([]);
    expect(result.metadata.annotations).toMatchObject({
      'khal.ai/manifest-name': 'orders-api',
      'khal.ai/manifest-digest': createHash('sha256')
        .update(goodManifest)
        .digest('hex'),
    });
  });

  it('keeps an entity with an invalid manifest, its problem naming the JSON path of each problem', async () => {
    dir.setContent({ 'khal-app.json': brokenManifest });
    const location = { type: 'file', target: dir.resolve('catalog-info.yaml') };
    const result = await run(entity(), location, emit);
    expect(errors()).toEqual([
      expect.stringMatching(
        /^khal-app.json of component:default\/orders-api \(.*khal-app.json\) is invalid:\n\$\.env\[0\]\.name: "database-url" is not UPPER_SNAKE — fix: rename it to "DATABASE_URL"$/,
      ),
    ]);
    expect(result.metadata.annotations).not.toHaveProperty(
      'khal.ai/manifest-digest',
    );
  });

  it('drops the name and digest an entity carried from a manifest that has since broken, and the problem once it is fixed', async () => {
    dir.setContent({ 'khal-app.json': brokenManifest });
    const location = { type: 'file', target: dir.resolve('catalog-info.yaml') };
    const stale = entity({
      'khal.ai/ladder': 'khal',
      'khal.ai/manifest-name': 'orders-api',
      'khal.ai/manifest-digest': 'f'.repeat(64),
    });
    const broken = await run(stale, location, emit);
    expect(Object.keys(broken.metadata.annotations ?? {}).sort()).toEqual([
      'khal.ai/ladder',
      'khal.ai/manifest-problem',
    ]);
    dir.setContent({ 'khal-app.json': goodManifest });
    const fixed = await run(broken, location, emit);
    expect(fixed.metadata.annotations).not.toHaveProperty(
      'khal.ai/manifest-problem',
    );
    expect(fixed.metadata.annotations?.['khal.ai/manifest-name']).toBe(
      'orders-api',
    );
  });

  it('says where it looked and how to fix a missing manifest', async () => {
    const location = { type: 'file', target: dir.resolve('catalog-info.yaml') };
    await run(entity(), location, emit);
    expect(errors()).toEqual([
      `No khal-app.json for component:default/orders-api: looked at ${dir.resolve(
        'khal-app.json',
      )} (the file does not exist) — fix: add khal-app.json at the repository root (the khal-node-app template writes one; \`khal manifest validate\` checks it)`,
    ]);
  });

  it('reads beside a url location with the UrlReader', async () => {
    reader.readUrl.mockResolvedValue({
      buffer: async () => Buffer.from(goodManifest),
    });
    const location = {
      type: 'url',
      target: 'https://github.com/acme/orders/blob/main/catalog-info.yaml',
    };
    const result = await run(entity(), location, emit);
    expect(reader.readUrl).toHaveBeenCalledWith(
      'https://github.com/acme/orders/blob/main/khal-app.json',
    );
    expect(result.metadata.annotations?.['khal.ai/manifest-name']).toBe(
      'orders-api',
    );
  });

  it('reports a manifest missing from a hosted repository', async () => {
    reader.readUrl.mockRejectedValue(new NotFoundError('nope'));
    const location = {
      type: 'url',
      target: 'https://github.com/acme/orders/blob/main/catalog-info.yaml',
    };
    await run(entity(), location, emit);
    expect(errors()).toEqual([
      expect.stringContaining(
        'looked at https://github.com/acme/orders/blob/main/khal-app.json (the file does not exist) — fix: add khal-app.json at the repository root',
      ),
    ]);
  });

  describe('local bare repositories (khal.ai/source-repo: file:<name>.git)', () => {
    function bareRepo(name: string, files: Record<string, string>) {
      dir.addContent({ work: files });
      const git = (...args: string[]) =>
        execFileSync('git', args, {
          cwd: dir.resolve('work'),
          env: {
            ...process.env,
            GIT_AUTHOR_NAME: 't',
            GIT_AUTHOR_EMAIL: 't@t',
            GIT_COMMITTER_NAME: 't',
            GIT_COMMITTER_EMAIL: 't@t',
          },
        });
      git('init', '--quiet', '--initial-branch=main');
      git('add', '--all');
      git('commit', '--quiet', '--allow-empty', '-m', 'init');
      execFileSync('git', [
        'clone',
        '--quiet',
        '--bare',
        dir.resolve('work'),
        dir.resolve('repos', name),
      ]);
    }
    const fileLocation = () => ({
      type: 'file',
      target: dir.resolve('catalog', 'catalog-info.yaml'),
    });

    it('reads HEAD:khal-app.json', async () => {
      bareRepo('orders-api.git', { 'khal-app.json': goodManifest });
      const result = await run(
        entity({
          'khal.ai/ladder': 'khal',
          'khal.ai/source-repo': 'file:orders-api.git',
        }),
        fileLocation(),
        emit,
      );
      expect(emitted).toEqual([]);
      expect(result.metadata.annotations?.['khal.ai/manifest-digest']).toBe(
        createHash('sha256').update(goodManifest).digest('hex'),
      );
    });

    it('reports a repository without a manifest', async () => {
      bareRepo('empty.git', { 'README.md': 'hi\n' });
      await run(
        entity({
          'khal.ai/ladder': 'khal',
          'khal.ai/source-repo': 'file:empty.git',
        }),
        fileLocation(),
        emit,
      );
      expect(errors()).toEqual([
        expect.stringMatching(
          /looked at HEAD:khal-app.json in .*empty.git \(.*\) — fix: add khal-app.json at the repository root/,
        ),
      ]);
    });

    it.each(['file:../escape.git', 'file:nested/x.git', 'file:noext'])(
      'refuses the source repo %j',
      async sourceRepo => {
        await run(
          entity({
            'khal.ai/ladder': 'khal',
            'khal.ai/source-repo': sourceRepo,
          }),
          fileLocation(),
          emit,
        );
        expect(errors()).toEqual([
          expect.stringContaining('it is not of the form file:<name>.git'),
        ]);
      },
    );

    it('refuses a repository name that is a symlink leading out of the root', async () => {
      bareRepo('orders-api.git', { 'khal-app.json': goodManifest });
      execFileSync('mv', [
        dir.resolve('repos', 'orders-api.git'),
        dir.resolve('outside.git'),
      ]);
      symlinkSync(
        dir.resolve('outside.git'),
        dir.resolve('repos', 'orders-api.git'),
      );
      await run(
        entity({
          'khal.ai/ladder': 'khal',
          'khal.ai/source-repo': 'file:orders-api.git',
        }),
        fileLocation(),
        emit,
      );
      expect(errors()).toEqual([
        expect.stringContaining(
          'it leads outside ladder.localRepositoriesRoot (through a symlink)',
        ),
      ]);
    });

    it('reports a missing repository', async () => {
      await run(
        entity({
          'khal.ai/ladder': 'khal',
          'khal.ai/source-repo': 'file:gone.git',
        }),
        fileLocation(),
        emit,
      );
      expect(errors()).toEqual([
        expect.stringContaining('(the repository does not exist)'),
      ]);
    });
  });
});
