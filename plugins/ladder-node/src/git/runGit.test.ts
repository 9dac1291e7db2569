import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GitError, runGit, runGitSync } from './runGit';

describe('runGit', () => {
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'khal-rungit-'));
    await runGit(['init', '-q', '-b', 'main'], { cwd: dir });
    fs.writeFileSync(path.join(dir, 'a.txt'), 'x'.repeat(4096));
    await runGit(['add', 'a.txt'], { cwd: dir });
    await runGit(['commit', '-q', '-m', 'first'], {
      cwd: dir,
      identity: { name: 'Fixed Author', email: 'fixed@khal.local' },
    });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('commits as the given identity, never as the host config says', async () => {
    const author = await runGit(['log', '-1', '--format=%an <%ae>|%cn'], {
      cwd: dir,
    });
    expect(author.trim()).toBe('Fixed Author <fixed@khal.local>|Fixed Author');
  });

  it('reads a repository by --git-dir, the same way sync and async', async () => {
    const gitDir = path.join(dir, '.git');
    const asyncSha = (await runGit(['rev-parse', 'HEAD'], { gitDir })).trim();
    expect(asyncSha).toMatch(/^[0-9a-f]{40}$/);
    expect(runGitSync(['rev-parse', 'HEAD'], { gitDir }).trim()).toBe(asyncSha);
  });

  it('fails with git’s own words for an unknown revision', async () => {
    const failure = await runGit(['show', 'nope:a.txt'], { cwd: dir }).catch(
      e => e,
    );
    expect(failure).toBeInstanceOf(GitError);
    expect(failure.reason).toBe('failed');
    expect(failure.stderr).toMatch(
      /invalid object name|unknown revision|bad revision/i,
    );
    expect(() => runGitSync(['show', 'nope:a.txt'], { cwd: dir })).toThrow(
      GitError,
    );
  });

  it('stops git that writes more than the output limit (bypass: a huge file)', async () => {
    const failure = await runGit(['show', 'HEAD:a.txt'], {
      cwd: dir,
      maxOutputBytes: 100,
    }).catch(e => e);
    expect(failure).toBeInstanceOf(GitError);
    expect(failure.reason).toBe('too-much-output');
  });

  it('stops git that runs past its timeout (bypass: a command that waits forever)', async () => {
    // `git cat-file --batch` waits for stdin, which stays open: only the timeout ends it.
    const started = Date.now();
    const failure = await runGit(['cat-file', '--batch'], {
      cwd: dir,
      timeoutMs: 300,
    }).catch(e => e);
    expect(failure).toBeInstanceOf(GitError);
    expect(failure.reason).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
