import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, Page, expect, test } from '@playwright/test';
import { signInAs, snap } from './session';

/**
 * A new app walked from the template to production on the embedded default, using only what the
 * product shows: the scaffolder's "Next steps", the app's README, the CLI's output and the Ladder
 * tab. Every command run here is first found in one of those; every step checks that the product
 * states the next action, and that following it moves the app on. Approvals come from the demo
 * users (sam as the customer stakeholder, omar as the second operator); olga, an operator,
 * requests and deploys production. Nothing is made by hand on a cluster or in the database.
 */

const app = 'walk-svc';
const scratch = process.env.KHAL_E2E_SCRATCH;
const work = scratch ? join(scratch, 'walk') : '';
const checkout = join(work, app);

interface Shell {
  status: number;
  output: string;
}

/**
 * Runs lines in a fresh bash (as an FDE's terminal would), after the shell set-up the product
 * showed. Each person has their own khal login; PM2 and khal's data stay in the scratch directory.
 */
function sh(user: string, setup: string, lines: string, cwd = checkout): Shell {
  const res = spawnSync('bash', ['-o', 'pipefail', '-c', `set -e\n${setup}\n${lines}`], {
    cwd,
    encoding: 'utf8',
    timeout: 180_000,
    env: {
      ...process.env,
      KHAL_CONFIG_DIR: join(work, `config-${user}`),
      PM2_HOME: join(work, 'pm2'),
      KHAL_DATA_DIR: join(work, 'data'),
      NO_COLOR: '1',
      FORCE_COLOR: undefined,
    },
  });
  return { status: res.status ?? 1, output: `${res.stdout}${res.stderr}${res.error ? `\n${res.error}` : ''}` };
}

/** Runs lines that must succeed; returns what they printed. */
function ok(user: string, setup: string, lines: string, cwd?: string): string {
  const res = sh(user, setup, lines, cwd);
  expect(res.status, `${lines}\n---\n${res.output}`).toBe(0);
  return res.output;
}

/** The code blocks of the scaffolder's output, as shown. */
async function codeBlocks(page: Page): Promise<string[]> {
  return (await page.locator('pre').allInnerTexts()).map(t => t.trim());
}

/** Asserts that `text` (README, page, CLI output) shows `command`, then returns it. */
function shown(text: string, command: string): string {
  expect(text, `the product shows "${command}"`).toContain(command);
  return command;
}

/** A screenshot after a rung's deploy; no template placeholder may reach a person. */
async function snapRung(page: Page, name: string) {
  await expect(page.locator('body')).not.toContainText('{{');
  await snap(page, name);
}

async function ladderTab(browser: Browser, user: string): Promise<Page> {
  const page = await browser.newPage();
  await signInAs(page, user);
  await page.goto(`/catalog/default/component/${app}/ladder`);
  return page;
}

/** Polls `khal status` until its output matches. */
async function statusUntil(setup: string, pattern: RegExp): Promise<string> {
  let out = '';
  await expect
    .poll(
      () => {
        out = sh('alice', setup, 'khal status').output;
        return out;
      },
      { timeout: 90_000, intervals: [1000, 2000] },
    )
    .toMatch(pattern);
  return out;
}

/** Approves the app's waiting promotion from the approver's inbox in the portal. */
async function approveInInbox(browser: Browser, user: string, comment: string, shot: string) {
  const page = await browser.newPage();
  await signInAs(page, user);
  await page.goto('/ladder/approvals');
  const card = page.locator('.MuiCard-root').filter({ hasText: app }).first();
  await expect(card).toBeVisible();
  await snap(page, shot);
  await card.getByRole('button', { name: 'Approve' }).click();
  const decision = page.getByRole('dialog');
  await decision.getByLabel('Comment (optional)').fill(comment);
  await decision.getByRole('button', { name: 'Approve' }).click();
  await expect(decision).toBeHidden();
  await page.close();
}

let started = Date.now();
/** Elapsed time per step in the test's output: the walk is meant to stay within a few minutes. */
function mark(step: string) {
  // eslint-disable-next-line no-console
  console.log(`[walk] ${((Date.now() - started) / 1000).toFixed(1)}s ${step}`);
}

test.describe.serial('walk: a new app from the template to production', () => {
  test.skip(!scratch, 'run through scripts/e2e.mjs (KHAL_E2E_SCRATCH)');

  test.afterAll(() => {
    // The local rung's app runs under this walk's own PM2 (PM2_HOME in the scratch directory).
    if (scratch) sh('alice', `export PATH="${join(__dirname, '..', '..', 'node_modules', '.bin')}:$PATH"`, 'pm2 kill || true', work);
  });

  test('alice scaffolds walk-svc in the portal and walks it up with the product’s own commands; sam, omar and olga approve and deploy', async ({
    page,
    browser,
  }) => {
    // Five minutes were seen with a load of 14 on the 2-core CI machine; the limit leaves room.
    test.setTimeout(540_000);
    mkdirSync(work, { recursive: true });
    started = Date.now();

    mark('scaffold');
    // 1. Scaffold from the template in the portal.
    await signInAs(page, 'alice');
    await page.goto('/create');
    await page
      .locator('.MuiCard-root, article')
      .filter({ hasText: 'Khal Node app' })
      .first()
      .getByRole('button', { name: /choose/i })
      .click();
    await page.getByRole('textbox', { name: 'Name' }).fill(app);
    await page.getByRole('textbox', { name: 'Description' }).fill('A service walked up the ladder by the browser tests.');
    const owner = page.getByRole('combobox', { name: 'Owner' }).or(page.getByRole('textbox', { name: 'Owner' })).first();
    await owner.click();
    await owner.fill('Forward');
    await page.getByRole('option', { name: /Forward-deployed engineers|fdes/i }).first().click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: /^(Next|Review)$/ }).click();
    await page.getByRole('button', { name: 'Create' }).click();
    await expect(page.getByText('It is on the', { exact: false })).toBeVisible({ timeout: 120_000 });
    await expect(page.locator('body')).toContainText('local');
    await expect(page.locator('pre').first()).toBeVisible();
    await expect(page.locator('body')).not.toContainText('{{');
    await snap(page, 'walk-01-scaffolded');
    const blocks = await codeBlocks(page);
    const setupBlock = blocks.find(b => b.includes('khal login'));
    const localBlock = blocks.find(b => b.includes('git clone'));
    expect(setupBlock, blocks.join('\n---\n')).toBeDefined();
    expect(localBlock).toBeDefined();
    // The shell set-up line, as shown: the rest of the walk runs every shell after it.
    const evalLine = setupBlock!.split('\n').find(l => l.startsWith('eval "$('))!;
    expect(evalLine).toMatch(/^eval "\$\(node \S+\/packages\/cli\/bin\/khal env\)"$/);
    expect(setupBlock).toContain('--demo-user alice');
    // What that line evaluates, printed once: every later shell starts with these exports (the same
    // as running the line again, without starting the CLI once more per shell).
    const setup = ok('alice', '', evalLine.replace(/^eval "\$\((.*)\)"$/, '$1'), work).trim();
    expect(setup).toMatch(/^export PATH=/m);

    mark('local');
    // 2. Local: the Next steps, as shown (log in, clone, evidence, pm2 deploy, khal status).
    let out = ok('alice', '', `${setupBlock}\n${localBlock}`, work);
    const sha = ok('alice', '', 'git rev-parse HEAD').trim();
    const short = sha.slice(0, 7);
    // The commit the portal said it placed on Local is the one cloned.
    await expect(page.locator('body')).toContainText(`rung at ${sha}`);
    expect(out).toContain(`Next: promote ${short} to Shared dev`);
    const readme = readFileSync(join(checkout, 'README.md'), 'utf8');
    const tab = await ladderTab(browser, 'alice');
    await expect(tab.getByTestId('rung-local').first()).toContainText('Proven');
    await expect(tab.getByTestId('ladder-next-step')).toContainText(`promote ${short} to Shared dev`);
    await snapRung(tab, 'walk-02-local-deployed');

    mark('dev');
    // 3. Shared dev: the README's commands; khal says when to deploy.
    out = ok(
      'alice',
      setup,
      [
        shown(readme, 'khal deploy --target dev --dry-run'),
        shown(readme, 'khal promote --to dev'),
        shown(readme, 'khal status'),
      ].join('\n'),
    );
    expect(out).toMatch(/→ dev: Verifying/);
    const deployDev = shown(out, 'khal deploy --target dev');
    expect(out).toContain(`Next: deploy — promote ${short} to Shared dev is cleared`);
    ok('alice', setup, shown(readme, deployDev));
    out = await statusUntil(setup, new RegExp(`Next: promote ${short} to Customer HML`));
    mark('dev proven');
    await tab.reload();
    await expect(tab.getByTestId('rung-dev').first()).toContainText('Proven');
    await expect(tab.getByTestId('rung-details-dev')).toContainText('first release: no previous revision');
    await expect(tab.getByTestId('ladder-next-step')).toContainText(`promote ${short} to Customer HML`);
    await snapRung(tab, 'walk-03-dev-deployed');

    mark('hml');
    // 4. Customer HML: an explanation for the customer, sam approves, alice deploys.
    out = sh('alice', setup, 'khal promote --to hml').output;
    // Without the explanation the CLI names the flag that supplies it.
    expect(out).toContain('add --explanation');
    out = ok(
      'alice',
      setup,
      [
        shown(readme, 'khal deploy --target hml --dry-run'),
        `khal promote --to hml --explanation "walk-svc ${short}: the scaffolded service, proven on shared dev; no settings"`,
      ].join('\n'),
    );
    expect(out).toMatch(/→ hml: Awaiting approval/);
    expect(out).toContain('may approve: user:default/sam');
    await tab.reload();
    await expect(tab.getByTestId('ladder-next-step')).toContainText('Next: approve');
    await approveInInbox(browser, 'sam', 'Acme accepts walk-svc', 'walk-04-hml-inbox');
    mark('hml approved by sam');
    out = await statusUntil(setup, /Next: deploy — promote \w+ to Customer HML is approved/);
    mark('hml: deploy stated');
    ok('alice', setup, shown(out, 'khal deploy --target hml'));
    await statusUntil(setup, new RegExp(`Next: promote ${short} to Production`));
    mark('hml proven');
    await tab.reload();
    await expect(tab.getByTestId('rung-hml').first()).toContainText(short);
    await expect(tab.getByTestId('rung-hml').first()).toContainText('Proven');
    await snapRung(tab, 'walk-05-hml-deployed');

    mark('prod: operators only');
    // 5. Production is operators only: alice is told so before she clicks.
    const request = tab.getByRole('button', { name: 'Request a promotion' });
    await expect(request).toBeDisabled();
    await expect(request).toHaveAccessibleDescription(/only members of group:default\/operators may request promotions to Production/);
    await snap(tab, 'walk-06-prod-operators-only');

    mark('prod');
    // olga (an operator) follows the README for prod; omar and sam approve from their terminals.
    // Each of them logs in once, with the Next steps' login line as the demo user they are.
    const login = setupBlock!.split('\n').find(l => l.startsWith('khal login'))!;
    for (const who of ['olga', 'omar', 'sam']) {
      expect(ok(who, setup, login.replace('--demo-user alice', `--demo-user ${who}`), work)).toContain(
        `as user:default/${who}`,
      );
    }
    out = sh('olga', setup, 'khal promote --to prod').output;
    // The first release on prod needs a rollback plan: the gate says how to record one.
    expect(out).toContain('rollback-plan');
    const rollbackPush = readme.split('\n').find(l => l.startsWith('khal evidence push --target prod --kind rollback-plan'))!;
    expect(rollbackPush).toContain('--file ROLLBACK.md');
    out = ok(
      'olga',
      setup,
      [shown(readme, 'khal deploy --target prod --dry-run'), rollbackPush, 'khal status'].join('\n'),
    );
    const prodId = out.match(new RegExp(`(\\S+) ${short} Awaiting approval`))?.[1] ?? '';
    expect(prodId, out).not.toBe('');
    expect(out).toContain('Next: approve');
    // Two approvals, neither by the requester: omar (operators) and sam (the customer's stakeholder).
    expect(sh('omar', setup, 'khal approvals', work).output).toContain(prodId);
    ok('omar', setup, `khal approve ${prodId} --comment "rollback plan read; go"`, work);
    ok('sam', setup, `khal approve ${prodId} --comment "Acme accepts walk-svc in production"`, work);
    out = await statusUntil(setup, /Next: deploy — promote \w+ to Production is approved/);
    mark('prod: deploy stated');
    ok('olga', setup, shown(out, 'khal deploy --target prod'));
    await statusUntil(setup, new RegExp(`${short} is on Production, the top of the ladder`));
    mark('prod proven');
    await tab.reload();
    await expect(tab.getByTestId('rung-prod').first()).toContainText(short);
    await expect(tab.getByTestId('rung-prod').first()).toContainText('Proven');
    await snapRung(tab, 'walk-08-prod-deployed');
    mark('done');
  });
});
