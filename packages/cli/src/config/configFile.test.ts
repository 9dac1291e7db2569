import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  configPath,
  normalizePortalUrl,
  readConfig,
  writeConfig,
} from './configFile';
import { resolveSession } from './session';

describe('config file', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'khal-config-'));
    env = { KHAL_CONFIG_DIR: path.join(dir, 'khal') };
  });

  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes the file 0600 in a directory 0700, even with a permissive umask', () => {
    const old = process.umask(0o000);
    try {
      writeConfig(
        {
          currentPortal: 'http://p',
          portals: { 'http://p': { token: 't', savedAt: 'now' } },
        },
        env,
      );
    } finally {
      process.umask(old);
    }
    // eslint-disable-next-line no-bitwise
    expect(fs.statSync(configPath(env)).mode & 0o777).toBe(0o600);
    // eslint-disable-next-line no-bitwise
    expect(fs.statSync(env.KHAL_CONFIG_DIR!).mode & 0o777).toBe(0o700);
    expect(readConfig(env).portals['http://p'].token).toBe('t');
  });

  it('reads a missing file as empty', () => {
    expect(readConfig(env)).toEqual({ portals: {} });
  });

  it('lets KHAL_PORTAL and KHAL_TOKEN override the file, and --portal override both', () => {
    writeConfig(
      {
        currentPortal: 'http://a',
        portals: { 'http://a': { token: 'ta', savedAt: 'now' } },
      },
      env,
    );
    expect(resolveSession({}, env)).toMatchObject({
      portal: 'http://a',
      token: 'ta',
    });
    expect(resolveSession({}, { ...env, KHAL_PORTAL: 'http://b/' })).toEqual({
      portal: 'http://b',
    });
    expect(resolveSession({}, { ...env, KHAL_TOKEN: 'tt' })).toMatchObject({
      portal: 'http://a',
      token: 'tt',
      tokenSource: 'KHAL_TOKEN',
    });
    expect(
      resolveSession(
        { portal: 'http://a' },
        { ...env, KHAL_PORTAL: 'http://b' },
      ),
    ).toMatchObject({ token: 'ta' });
  });

  it('normalises portal URLs and rejects others', () => {
    expect(normalizePortalUrl('http://localhost:7007/')).toBe(
      'http://localhost:7007',
    );
    expect(() => normalizePortalUrl('localhost')).toThrow(/not a portal URL/);
    expect(() => normalizePortalUrl('ftp://x')).toThrow(/http\(s\)/);
  });
});
