import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';

/**
 * The FDE walk from the terminal only: `khal new` creates the app through the portal's
 * scaffolder, `khal install` proves it on the local rung from its repository URL, and the
 * documented commands take it up through shared dev (dry-run first), HML (explanation and a
 * stakeholder's approval) and production (two approvals, operators only). No browser: the same
 * portal as the browser specs (scripts/e2e.mjs), driven by `khal` as an FDE's shell would.
 *
 * Every step's output must say where you are, what is safe to change, what evidence proves it,
 * the next command and whom to ask (the CLI's step footer); the walk checks all five each time.
 */

const app = 'fde-walk-svc';
const portal = 'http://localhost:7007';
const root = join(__dirname, '..', '..');
const scratch = process.env.KHAL_E2E_SCRATCH;
const work = scratch ? join(scratch, 'fde-walk') : '';
const checkout = join(work, app);

/** The footer's labels, as packages/cli/src/output/stepFooter.ts prints them. */
const FOOTER = [
  'Where you are:',
  'Safe to change:',
  'Evidence:',
  'Next:',
  'Whom to ask:',
];

/** Runs lines in a fresh bash as `user` (their own khal login), after the shell set-up. */
function sh(user: string, lines: string, cwd = checkout) {
  const res = spawnSync(
    'bash',
    ['-o', 'pipefail', '-c', `set -e\n${setup}\n${lines}`],
    {
      cwd,
      encoding: 'utf8',
      timeout: 240_000,
      env: {
        ...process.env,
        KHAL_CONFIG_DIR: join(work, `config-${user}`),
        PM2_HOME: join(work, 'pm2'),
        KHAL_DATA_DIR: join(work, 'data'),
        NO_COLOR: '1',
        FORCE_COLOR: undefined,
      },
    },
  );
  return {
    status: res.status ?? 1,
    output: `${res.stdout}${res.stderr}${res.error ? `\n${res.error}` : ''}`,
  };
}

function ok(user: string, lines: string, cwd?: string): string {
  const res = sh(user, lines, cwd);
  expect(res.status, `${lines}\n---\n${res.output}`).toBe(0);
  return res.output;
}

/** The value of a footer line (the text after its label), for the last footer in `out`. */
function footerLine(out: string, label: string): string {
  const lines = out.split('\n').filter(l => l.startsWith(label));
  return (lines.pop() ?? '').slice(label.length).trim();
}

/**
 * The five facts are present and say something about this step: the rung, a policy sentence,
 * the rung's proof, a next step and at least one person or group to ask.
 */
function expectFooter(out: string, rung: string, step: string) {
  for (const label of FOOTER) {
    expect(footerLine(out, label), `${step}: "${label}" in\n${out}`).not.toBe(
      '',
    );
  }
  expect(footerLine(out, 'Where you are:'), step).toContain(`(${rung}, rung `);
  expect(footerLine(out, 'Safe to change:'), step).toMatch(/policy [a-z-]+/);
  expect(footerLine(out, 'Evidence:'), step).toContain(`${rung} is `);
  expect(footerLine(out, 'Whom to ask:'), step).toMatch(/group:|user:|@|owner/);
}

let setup = '';

async function statusUntil(user: string, pattern: RegExp): Promise<string> {
  let out = '';
  await expect
    .poll(
      () => {
        out = sh(user, 'khal status').output;
        return out;
      },
      { timeout: 90_000, intervals: [1000, 2000] },
    )
    .toMatch(pattern);
  return out;
}

test.describe.serial('FDE walk from the terminal', () => {
  test.skip(!scratch, 'run through scripts/e2e.mjs (KHAL_E2E_SCRATCH)');

  test.afterAll(() => {
    if (scratch) sh('alice', 'pm2 kill || true', work);
  });

  test('khal new → local proof → dev → HML → prod, each step stating where, what is safe, evidence, next and whom to ask', async () => {
    test.setTimeout(780_000);
    mkdirSync(work, { recursive: true });
    // The shell set-up the README documents (`eval "$(node …/khal env)"`), printed once.
    const env = spawnSync(
      process.execPath,
      [join(root, 'packages', 'cli', 'bin', 'khal'), 'env'],
      { encoding: 'utf8' },
    );
    expect(env.status, env.stderr).toBe(0);
    setup = env.stdout.trim();

    // 1. khal login → khal new (the CLI README's quickstart).
    for (const who of ['alice', 'sam', 'olga', 'omar']) {
      expect(
        ok(who, `khal login --portal ${portal} --demo-user ${who}`, work),
      ).toContain(`as user:default/${who}`);
    }
    let out = ok(
      'alice',
      `khal new ${app} --param owner=group:default/fdes --param "description=Walked up the ladder from the terminal."`,
      work,
    );
    expect(out).toMatch(/\[1\/\d\] Fetch the skeleton: started/);
    expect(out).toMatch(/Register in the catalog: completed/);
    const repoUrl = /^Repository: (\S+)$/m.exec(out)?.[1] ?? '';
    expect(repoUrl, out).toMatch(/^file:\/\/\S+\.git$/);
    expect(out).toContain(
      `Catalog:    ${portal}/catalog/default/component/${app}`,
    );
    expectFooter(out, 'local', 'khal new');
    expect(footerLine(out, 'Next:')).toContain(`khal install ${repoUrl}`);

    // 2. Local proof: build and typecheck evidence from a checkout, then `khal install` from the
    // repository URL: the portal resolves the entity and the commit, the checkout is moved to it.
    ok('alice', `git clone -q ${repoUrl} ${app}`, work);
    ok(
      'alice',
      [
        'npm install --no-audit --no-fund',
        'npm run build > build.log 2>&1; khal evidence push --target local --kind build-output --file build.log --data "{\\"exitCode\\": $?}"',
        'npm run typecheck > typecheck.log 2>&1; khal evidence push --target local --kind typecheck --file typecheck.log --data "{\\"exitCode\\": $?}"',
      ].join('\n'),
    );
    const sha = ok('alice', 'git rev-parse HEAD').trim();
    const short = sha.slice(0, 7);
    out = ok(
      'alice',
      `khal install ${repoUrl} --branch main --target local --dir ${checkout}`,
      work,
    );
    expect(out).toContain(`component:default/${app} at ${short}`);
    expect(out).toContain('(scope user)');
    expectFooter(out, 'local', 'khal install (local)');
    ok(
      'alice',
      `pm2 describe ${app} 2>&1 | khal evidence push --target local --kind status --file -`,
    );
    await statusUntil(
      'alice',
      new RegExp(`Next: promote ${short} to Shared dev`),
    );

    // 3. Shared dev: a dry-run first (planned from the repository URL too), then the promotion.
    out = ok(
      'alice',
      `khal deploy ${repoUrl} --branch main --target dev --dry-run`,
    );
    expect(out).toContain('Deploy plan (dry-run)');
    expectFooter(out, 'dev', 'khal deploy --dry-run (dev)');
    expect(footerLine(out, 'Evidence:')).toMatch(/recorded dry-run evidence/);
    out = ok('alice', 'khal promote --to dev');
    expectFooter(out, 'dev', 'khal promote --to dev');
    await statusUntil('alice', /Next: deploy/);
    out = ok('alice', 'khal deploy --target dev');
    expectFooter(out, 'dev', 'khal deploy (dev)');
    await statusUntil(
      'alice',
      new RegExp(`Next: promote ${short} to Customer HML`),
    );
    // The shared dev environment, validated by its lifecycle (cluster, settings, rollout, Service):
    // recorded as evidence for the SHA, and the same five facts.
    out = ok('alice', 'khal env validate --target dev');
    expect(out).toMatch(/env validate on Shared dev passed — recorded validation evidence/);
    expectFooter(out, 'dev', 'khal env validate (dev)');
    out = ok('alice', 'khal env status --target dev');
    expectFooter(out, 'dev', 'khal env status (dev)');

    // 4. HML: an explanation for the customer; sam (a stakeholder) approves; alice deploys.
    ok('alice', 'khal deploy --target hml --dry-run');
    out = ok(
      'alice',
      `khal promote --to hml --explanation "${app} ${short}: scaffolded from the terminal, proven on shared dev; no settings"`,
    );
    expectFooter(out, 'hml', 'khal promote --to hml');
    const hmlId = /Requested (\S+):/.exec(out)?.[1] ?? '';
    expect(hmlId, out).not.toBe('');
    out = ok(
      'sam',
      `khal approve ${hmlId} --comment "Acme accepts ${app}"`,
      work,
    );
    expectFooter(out, 'hml', 'khal approve (hml)');
    await statusUntil(
      'alice',
      /Next: deploy — promote \w+ to Customer HML is approved/,
    );
    out = ok('alice', 'khal deploy --target hml');
    expectFooter(out, 'hml', 'khal deploy (hml)');
    await statusUntil(
      'alice',
      new RegExp(`Next: promote ${short} to Production`),
    );

    // 5. Production: olga (an operator) requests and deploys; omar and sam approve.
    ok(
      'olga',
      [
        'khal deploy --target prod --dry-run',
        'khal evidence push --target prod --kind rollback-plan --file ROLLBACK.md --summary "first release: remove it (ROLLBACK.md)"',
      ].join('\n'),
    );
    out = ok('olga', 'khal promote --to prod');
    expectFooter(out, 'prod', 'khal promote --to prod');
    const prodId = /Requested (\S+):/.exec(out)?.[1] ?? '';
    expect(prodId, out).not.toBe('');
    for (const [who, comment] of [
      ['omar', 'rollback plan read; go'],
      ['sam', `Acme accepts ${app} in production`],
    ]) {
      out = ok(who, `khal approve ${prodId} --comment "${comment}"`, work);
      expectFooter(out, 'prod', `khal approve (prod, ${who})`);
    }
    await statusUntil(
      'olga',
      /Next: deploy — promote \w+ to Production is approved/,
    );
    out = ok('olga', 'khal deploy --target prod');
    expectFooter(out, 'prod', 'khal deploy (prod)');
    await statusUntil(
      'olga',
      new RegExp(`${short} is on Production, the top of the ladder`),
    );

    // Rolling production back: a first release has nowhere to go back to, and the CLI says so
    // (exit 1, the reason, whom to ask) instead of requesting anything.
    const back = sh('olga', 'khal rollback --target prod');
    expect(back.status, back.output).toBe(1);
    expect(back.output).toMatch(/cannot roll Production back: \w{7} is the first release on Production/);
    expect(back.output).toMatch(/khal help-request --target prod/);
  });
});
