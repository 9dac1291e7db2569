import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from './cli';
import { kube } from './testHelpers';

const BIN = path.resolve(__dirname, '../bin/kube-simulator');

describe('kube-simulator CLI', () => {
  it('parses arguments', () => {
    expect(parseArgs(['--config', 'a.yaml', '--host=127.0.0.1', '-v'])).toEqual(
      {
        config: 'a.yaml',
        host: '127.0.0.1',
        verbose: true,
        help: false,
      },
    );
    expect(() => parseArgs(['--nope'])).toThrow('unknown argument');
  });

  it('starts the clusters of a config, prints where they listen, and stops on SIGTERM', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-sim-'));
    fs.writeFileSync(
      path.join(dir, 'objects.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: hello, namespace: demo }\ndata: { a: "1" }\n',
    );
    fs.writeFileSync(
      path.join(dir, 'config.yaml'),
      'clusters:\n  - name: one\n    port: 0\n    token: one-token\n    fixtures: [objects.yaml]\n',
    );
    const child = spawn(
      process.execPath,
      [BIN, '--config', path.join(dir, 'config.yaml')],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(
          () => reject(new Error(`no output: ${out}`)),
          20000,
        );
        child.stdout.on('data', chunk => {
          out += String(chunk);
          const nl = out.indexOf('\n');
          if (nl >= 0) {
            clearTimeout(timer);
            resolve(out.slice(0, nl));
          }
        });
        child.on('exit', code => reject(new Error(`exited ${code}`)));
      });
      const match =
        /^cluster one listening on (http:\/\/127\.0\.0\.1:\d+) \(token via config\)$/.exec(
          line,
        );
      expect(match).not.toBeNull();
      const res = await kube(
        match![1],
        'one-token',
        '/api/v1/namespaces/demo/configmaps/hello',
      );
      expect(res.body).toMatchObject({ kind: 'ConfigMap', data: { a: '1' } });
    } finally {
      const exited = new Promise<number | null>(resolve =>
        child.on('exit', code => resolve(code)),
      );
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 30000);
});
