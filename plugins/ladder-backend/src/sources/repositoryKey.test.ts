import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repositoryKey, sameRepository, withoutCredentials } from './repositoryKey';

describe('repositoryKey', () => {
  it('gives every usual spelling of a hosted repository one key', () => {
    const spellings = [
      'https://github.com/acme/orders-api',
      'https://github.com/acme/orders-api.git',
      'https://GitHub.com/acme/orders-api/',
      'https://github.com/acme/orders-api/tree/main/',
      'https://github.com/acme/orders-api/blob/main/catalog-info.yaml',
      'git@github.com:acme/orders-api.git',
      'ssh://git@github.com/acme/orders-api.git',
      'https://token@github.com/acme/orders-api.git',
    ];
    for (const s of spellings) {
      expect(`${s} → ${JSON.stringify(repositoryKey(s, '/'))}`).toBe(
        `${s} → ${JSON.stringify({ kind: 'hosted', key: 'github.com/acme/orders-api' })}`,
      );
    }
    expect(repositoryKey('https://gitlab.example.com/team/sub/orders/-/tree/main/', '/')).toEqual({
      kind: 'hosted',
      key: 'gitlab.example.com/team/sub/orders',
    });
  });

  it('keeps different repositories apart', () => {
    const a = repositoryKey('https://github.com/acme/orders-api', '/')!;
    for (const other of [
      'https://github.com/acme/orders-api-v2',
      'https://github.com/evil/orders-api',
      'https://github.example.com/acme/orders-api',
    ]) {
      expect(sameRepository(a, repositoryKey(other, '/')!)).toBe(false);
    }
  });

  it('reads local repositories by their real path, relative ones against the root', () => {
    const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'repo-key-')));
    try {
      fs.mkdirSync(path.join(root, 'orders.git'));
      fs.symlinkSync(path.join(root, 'orders.git'), path.join(root, 'link.git'));
      const want = { kind: 'path', path: path.join(root, 'orders.git') };
      expect(repositoryKey('file:orders.git', root)).toEqual(want);
      expect(repositoryKey(`file://${root}/orders.git`, '/elsewhere')).toEqual(want);
      expect(repositoryKey(`${root}/link.git`, '/elsewhere')).toEqual(want);
      expect(repositoryKey(`${root}/missing.git`, root)).toBeUndefined();
      expect(sameRepository(want as any, repositoryKey('https://github.com/a/b', root)!)).toBe(false);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('answers undefined for what is no repository reference', () => {
    for (const s of ['', 'orders-api', 'ftp://example.com/x', 'https://example.com/']) {
      expect(repositoryKey(s, '/')).toBeUndefined();
    }
  });

  it('shows URLs without credentials', () => {
    expect(withoutCredentials('https://u:p@example.com/a/b.git')).toBe('https://example.com/a/b.git');
    expect(withoutCredentials('git@github.com:a/b.git')).toBe('git@github.com:a/b.git');
  });
});
