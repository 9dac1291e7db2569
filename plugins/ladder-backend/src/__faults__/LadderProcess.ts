import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

/**
 * A ladder backend in a child process (ladderBackendMain.ts, TypeScript through the Backstage CLI's
 * node transform); `lines` is everything it printed so far.
 */
export class LadderProcess {
  readonly lines: string[] = [];
  private readonly child: ChildProcess;
  private readonly waiters: Array<{
    match: RegExp;
    resolve: (m: RegExpMatchArray) => void;
  }> = [];
  private stderr = '';
  port = 0;

  constructor(env: Record<string, string>) {
    this.child = spawn(
      process.execPath,
      [
        '--require',
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
        // Tests run from the sources; the process entry point sits next to this file.
        // eslint-disable-next-line no-restricted-syntax
        path.join(__dirname, 'ladderBackendMain.ts'),
      ],
      {
        env: { ...process.env, ...env, NODE_ENV: 'test' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let buffer = '';
    this.child.stdout!.on('data', chunk => {
      buffer += chunk;
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        this.lines.push(line);
        for (const w of [...this.waiters]) {
          const m = line.match(w.match);
          if (m) {
            this.waiters.splice(this.waiters.indexOf(w), 1);
            w.resolve(m);
          }
        }
      }
    });
    this.child.stderr!.on('data', chunk => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
  }

  /** Resolves with the first printed line (past or future) that matches. */
  waitFor(match: RegExp, timeoutMs = 45_000): Promise<RegExpMatchArray> {
    const seen = this.lines.map(l => l.match(match)).find(Boolean);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `the ladder process never printed ${match}; stderr: ${this.stderr}`,
            ),
          ),
        timeoutMs,
      );
      this.waiters.push({
        match,
        resolve: m => {
          clearTimeout(timer);
          resolve(m);
        },
      });
      this.child.once('exit', code =>
        reject(
          new Error(
            `the ladder process exited (${code}) before printing ${match}; stderr: ${this.stderr}`,
          ),
        ),
      );
    });
  }

  async started(): Promise<this> {
    this.port = Number((await this.waitFor(/^listening (\d+)$/))[1]);
    return this;
  }

  /** SIGKILL, and wait until the process is gone. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise(resolve => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }

  async call(
    method: 'GET' | 'POST',
    route: string,
    who: string,
    body?: object,
    key?: string,
  ) {
    const res = await fetch(
      `http://127.0.0.1:${this.port}/api/ladder${route}`,
      {
        method,
        headers: {
          authorization: who,
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...(key ? { 'idempotency-key': key } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(30_000),
      },
    );
    return {
      status: res.status,
      replayed: res.headers.get('idempotent-replayed'),
      body: (await res.json()) as any,
    };
  }
}
