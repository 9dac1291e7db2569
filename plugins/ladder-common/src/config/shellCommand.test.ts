import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDns1123Label, renderCommand, shellQuote } from './shellCommand';

/** Values an annotation can hold (the catalog does not constrain annotation values). */
const hostile = [
  '$(touch PWNED)',
  '`touch PWNED`',
  'x; touch PWNED',
  "x' ; touch PWNED; echo '",
  'x" ; touch PWNED; echo "',
  'x\ntouch PWNED',
  'x && touch PWNED || true',
  '$HOME',
  'a b\tc',
  '*',
];

/** Runs a command with sh -c in a scratch folder; returns its output and whether PWNED appeared. */
function run(command: string, prelude = ''): { stdout: string; pwned: boolean } {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'shell-quote-'));
  try {
    const stdout = execFileSync('sh', ['-c', `${prelude}${command}`], { cwd, encoding: 'utf8' });
    return { stdout, pwned: fs.existsSync(path.join(cwd, 'PWNED')) };
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}

describe('copyable commands', () => {
  it.each(hostile)('an annotation value %j does not run: it is one literal word', value => {
    const rendered = renderCommand('echo kubectl -n {{namespace}} logs deploy/{{kubernetesId}}', {
      namespace: 'khal-orders',
      kubernetesId: value,
    });
    expect(rendered.ok).toBe(true);
    const { stdout, pwned } = run((rendered as { command: string }).command);
    expect(pwned).toBe(false);
    expect(stdout).toBe(`kubectl -n khal-orders logs deploy/${value}\n`);
  });

  it.each(hostile)('after ssh, the value %j survives the remote shell too', value => {
    const rendered = renderCommand('ssh {{host}} echo pm2 logs {{name}}', { host: 'mirror', name: value });
    expect(rendered.ok).toBe(true);
    // ssh joins its arguments with spaces and the remote shell parses them again.
    const fakeSsh = 'ssh() { shift; sh -c "$*"; }; ';
    const { stdout, pwned } = run((rendered as { command: string }).command, fakeSsh);
    expect(pwned).toBe(false);
    expect(stdout).toBe(`pm2 logs ${value}\n`);
  });

  it.each(hostile)('inside quotes of the template, %j is refused with the reason', value => {
    for (const template of ["ssh {{host}} 'cd apps/{{name}} && pm2 reload x'", 'sh -c "echo {{name}}"']) {
      const rendered = renderCommand(template, { host: 'mirror', name: value });
      expect(rendered).toEqual({
        ok: false,
        placeholder: 'name',
        reason: expect.stringContaining('sits inside quotes in the template'),
      });
    }
  });

  it('refuses a value that a command would read as an option', () => {
    expect(renderCommand('kubectl logs {{id}}', { id: '--kubeconfig=/etc/x' })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('starts with "-"'),
    });
  });

  it('keeps plain values readable, in and out of quotes, and leaves unknown placeholders visible', () => {
    expect(
      renderCommand("ssh {{host}} 'cd apps/{{entity.name}} && git checkout {{ref}}' # {{nope}}", {
        host: 'gitea-mirror',
        'entity.name': 'orders-api',
        ref: '0123abc',
      }),
    ).toEqual({ ok: true, command: "ssh gitea-mirror 'cd apps/orders-api && git checkout 0123abc' # {{nope}}" });
    expect(shellQuote('orders-api')).toBe('orders-api');
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('')).toBe("''");
  });

  it('tells Kubernetes names from everything else', () => {
    expect(isDns1123Label('orders-api')).toBe(true);
    expect(isDns1123Label('Orders_API')).toBe(false);
    expect(isDns1123Label('$(touch PWNED)')).toBe(false);
    expect(isDns1123Label('a'.repeat(64))).toBe(false);
  });
});
