import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { remoteCredentials } from '@khal/plugin-ladder-common';
import { CliError } from '../exitCodes';
import * as fixtures from '../testing/fixtures';
import { FakePortal } from '../testing/fakePortal';
import { FakePortalSession, useFakePortal } from '../testing/useFakePortal';
import { runKhal } from '../testing/runKhal';
import { remoteUrl } from './mirror';

jest.setTimeout(120_000);

function gitIn(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', ...args], {
    cwd: dir,
    encoding: 'utf8',
  }).trim();
}

const word = fc.stringMatching(/^[A-Za-z0-9]{6,24}$/);
const host = fc.constantFrom('github.com', 'gitea.internal', 'git.example.org:3000', '10.0.0.5');
const repoPath = fc.constantFrom('/org/app.git', '/team/orders-api', '/a/b/c.git');

/** URLs that carry a secret, and the secret they carry. */
const withCredentials = fc.oneof(
  fc.tuple(word, word, host, repoPath).map(([u, p, h, r]) => ({ url: `https://${u}:${p}@${h}${r}`, secret: p })),
  fc.tuple(word, host, repoPath).map(([t, h, r]) => ({ url: `https://ghp_${t}@${h}${r}`, secret: `ghp_${t}` })),
  fc.tuple(word, word, host, repoPath).map(([u, p, h, r]) => ({ url: `ssh://${u}:${p}@${h}${r}`, secret: p })),
  fc.tuple(word, host, repoPath).map(([t, h, r]) => ({ url: `https://${h}${r}?access_token=${t}`, secret: t })),
  fc.tuple(word, word, host, repoPath).map(([u, p, h, r]) => ({ url: `http://${u}:${p}@${h}${r}`, secret: p })),
);
const withoutCredentials = fc.oneof(
  fc.tuple(host, repoPath).map(([h, r]) => `https://${h}${r}`),
  fc.tuple(host, repoPath).map(([h, r]) => `ssh://git@${h}${r}`),
  fc.tuple(fc.constantFrom('github.com', 'gitea.internal'), repoPath).map(([h, r]) => `git@${h}:${r.slice(1)}`),
  repoPath.map(r => `/srv/git${r}`),
);

describe('remote credentials (fast-check)', () => {
  it('finds every credential form and never prints the secret in the redacted URL', () => {
    fc.assert(
      fc.property(withCredentials, ({ url, secret }) => {
        const { found, redacted } = remoteCredentials(url);
        expect(found).toBe(true);
        expect(redacted).not.toContain(secret);
        expect(redacted).toContain('***');
      }),
      { numRuns: 300 },
    );
  });

  it('accepts URLs without credentials (an ssh user name is not one) unchanged', () => {
    fc.assert(
      fc.property(withoutCredentials, url => {
        expect(remoteCredentials(url)).toEqual({ found: false, redacted: url });
      }),
      { numRuns: 200 },
    );
  });

  it('khal refuses a remote with credentials, naming it redacted, with how to fix', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'khal-remote-'));
    gitIn(dir, 'init', '-q');
    gitIn(dir, 'remote', 'add', 'mirror', 'https://example.invalid/x.git');
    try {
      fc.assert(
        fc.property(withCredentials, ({ url, secret }) => {
          gitIn(dir, 'remote', 'set-url', 'mirror', url);
          let error: unknown;
          try {
            remoteUrl('mirror', dir);
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(CliError);
          const cli = error as CliError;
          expect(cli.exitCode).toBe(2);
          const text = [cli.message, ...cli.details].join('\n');
          expect(text).toContain('carries credentials');
          expect(text).not.toContain(secret);
          expect(text).toContain('git remote set-url mirror');
        }),
        { numRuns: 40 },
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('khal evidence mirror (CLI process)', () => {
  let portal: FakePortal;
  let app: FakePortalSession['app'];
  let env: Record<string, string>;
  let head: string;

  useFakePortal(s => ({ portal, app, env } = s));

  beforeEach(() => {
    gitIn(app.dir, 'init', '-q', '-b', 'main');
    fs.writeFileSync(path.join(app.dir, '.gitignore'), '.khal-config/\n');
    gitIn(app.dir, 'add', '.');
    gitIn(app.dir, 'commit', '-q', '-m', 'app');
    head = gitIn(app.dir, 'rev-parse', 'HEAD');
    for (const name of ['origin', 'mirror']) {
      const bare = path.join(app.dir, '.khal-config', `${name}.git`);
      fs.mkdirSync(bare, { recursive: true });
      gitIn(bare, 'init', '-q', '--bare');
      gitIn(app.dir, 'remote', 'add', name, bare);
      gitIn(app.dir, 'push', '-q', name, 'main');
    }
  });

  const posted = () => portal.requests.filter(r => r.method === 'POST' && r.path === '/api/ladder/evidence').map(r => r.body as any);

  it('records both SHAs, the host alias and the manifest and env-contract digests', async () => {
    const run = await runKhal(['evidence', 'mirror', '--target', 'dev', '--host', 'gitea-mirror', '--json'], { env, cwd: app.dir });
    expect(run.code).toBe(0);
    const [body] = posted();
    const manifestText = gitIn(app.dir, 'show', `${head}:khal-app.json`);
    const sha256 = (t: string) => createHash('sha256').update(t).digest('hex');
    expect(body).toMatchObject({
      entityRef: fixtures.ENTITY_REF,
      rung: 'dev',
      ref: head,
      kind: 'mirror',
      data: {
        exitCode: 0,
        upstream: { remote: 'origin', sha: head },
        mirror: { remote: 'mirror', sha: head },
        hostAlias: 'gitea-mirror',
        manifestDigest: sha256(manifestText),
        envContractDigest: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    });
    expect(JSON.parse(run.stdout)).toMatchObject({ inSync: true, evidence: { id: 'ev-mirror' }, whomToAsk: null });
  });

  it('records a mirror that is behind as a failure (exit 1, proves nothing), saying which remote and whom to ask', async () => {
    fs.writeFileSync(path.join(app.dir, 'NEW.md'), 'new\n');
    gitIn(app.dir, 'add', 'NEW.md');
    gitIn(app.dir, 'commit', '-q', '-m', 'newer');
    gitIn(app.dir, 'push', '-q', 'origin', 'main');
    const run = await runKhal(['evidence', 'mirror', '--target', 'dev'], { env, cwd: app.dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`mirror is at ${head.slice(0, 7)}`);
    expect(run.stderr).toContain('Ask for help: khal help-request --target dev');
    expect(posted()[0].data.exitCode).toBe(1);
  });

  it('refuses a remote with credentials before contacting the portal, printing it redacted', async () => {
    gitIn(app.dir, 'remote', 'set-url', 'mirror', 'https://deploy:s3cr3t-FAKE@gitea.internal/org/app.git');
    const run = await runKhal(['evidence', 'mirror', '--target', 'dev'], { env, cwd: app.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('the "mirror" remote carries credentials in its URL (https://***@gitea.internal/org/app.git)');
    expect(run.stderr).not.toContain('s3cr3t-FAKE');
    expect(portal.requests).toHaveLength(0);
  });
});
