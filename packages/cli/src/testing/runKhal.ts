import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validManifest } from './fixtures';

// Tests run from the sources, where __dirname is src/testing (there is no production build of tests).
// eslint-disable-next-line no-restricted-syntax
const BIN = path.resolve(__dirname, '../../bin/khal');

export interface KhalRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/khal …` as a child process, the way a person or a script does. */
export function runKhal(
  args: string[],
  options: {
    env?: Record<string, string | undefined>;
    cwd?: string;
    stdin?: string;
  } = {},
): Promise<KhalRun> {
  return new Promise(resolve => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NO_COLOR: '1',
      KHAL_POLL_INTERVAL_MS: '20',
      ...options.env,
    })) {
      if (v !== undefined) env[k] = v;
    }
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: options.cwd, env, timeout: 60_000 },
      (error, stdout, stderr) => {
        let code = 0;
        if (error) code = typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(options.stdin ?? '');
  });
}

/** A temporary app directory with khal-app.json (or the given manifest) and a config dir. */
export function makeAppDir(manifest: unknown = validManifest): {
  dir: string;
  configDir: string;
} {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'khal-cli-'));
  if (manifest !== null) {
    fs.writeFileSync(
      path.join(dir, 'khal-app.json'),
      typeof manifest === 'string'
        ? manifest
        : JSON.stringify(manifest, null, 2),
    );
  }
  const configDir = path.join(dir, '.khal-config');
  return { dir, configDir };
}
