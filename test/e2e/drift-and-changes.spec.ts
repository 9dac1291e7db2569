import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { deploy, ladderApi } from './portal';
import { signInAs, snap } from './session';

/**
 * The demo apps' commits, oldest first, from the local git repositories the portal reads
 * (scripts/e2e.mjs puts them in KHAL_REPOS_DIR; `npm start` in data/repos).
 */
function commits(app: string): string[] {
  const repos =
    process.env.KHAL_REPOS_DIR ?? join(__dirname, '..', '..', 'data', 'repos');
  return execFileSync(
    'git',
    ['-C', join(repos, `${app}.git`), 'rev-list', '--reverse', 'main'],
    {
      encoding: 'utf8',
    },
  )
    .trim()
    .split('\n');
}

async function rungOf(app: string, rungId: string) {
  const view = await ladderApi(
    'alice',
    'GET',
    `/entities/component/default/${app}`,
  );
  return view.rungs.find((r: any) => r.rung.id === rungId);
}

test.describe
  .serial('drift: Shared dev runs something the ladder never placed there', () => {
  let placed = '';
  let running = '';

  test.beforeAll(async () => {
    // The seed placed billing-worker's newest commit (its full SHA) on Shared dev, and the cluster
    // runs it.
    placed = (await rungOf('billing-worker', 'dev')).placement.ref;
    expect(placed).toBe(commits('billing-worker')[2]);
    running = commits('billing-worker')[1];
    expect(running).not.toBe(placed);
    // Someone rolls the Deployment back by hand (kubectl apply of the previous commit's manifests),
    // outside the ladder.
    await deploy('shared-dev', 'billing-worker', running);
  });

  test.afterAll(async () => {
    // Put the cluster back: the ladder resolves the drift on its own (audited as cluster-returned),
    // so the specs that run next find the seeded state.
    await deploy('shared-dev', 'billing-worker', placed);
    await expect
      .poll(async () => (await rungOf('billing-worker', 'dev')).status, {
        timeout: 60_000,
      })
      .not.toBe('drifted');
  });

  test('the entity card and tab show the drifted rung: what runs, what the ladder expected, since when', async ({
    page,
  }) => {
    await signInAs(page, 'alice');
    // The backend notices drift in its re-check task (every 2 s in this run) and whenever the
    // entity is read: reload until it shows, within a bounded time.
    await expect(async () => {
      await page.goto('/catalog/default/component/billing-worker/ladder');
      await expect(page.getByTestId('rung-dev').first()).toContainText(
        'Drifted',
        { timeout: 10_000 },
      );
    }).toPass({ timeout: 60_000 });
    // The chip names the commits by their short SHAs, the rung's details by the full ones.
    await expect(page.getByTestId('rung-dev-drift').first()).toContainText(
      `runs ${running.slice(0, 7)}, ladder expects ${placed.slice(
        0,
        7,
      )}, since`,
    );
    const details = page.getByTestId('rung-details-dev');
    await expect(details).toContainText(
      `the cluster runs ${running}, the ladder expects ${placed}`,
    );
    await expect(page.getByTestId('ladder-next-step')).toContainText(
      'resolve the drift on Shared dev',
    );
    await snap(page, 'drift-01-entity-tab');

    // The entity's overview card says the same at a glance.
    await page.goto('/catalog/default/component/billing-worker');
    await expect(
      page.getByTestId('ladder-card').getByTestId('rung-dev-drift'),
    ).toContainText(
      `runs ${running.slice(0, 7)}, ladder expects ${placed.slice(0, 7)}`,
    );
    await page.getByTestId('ladder-card').scrollIntoViewIfNeeded();
    await snap(page, 'drift-02-entity-card');
  });

  // The overview reads no cluster: it shows the drift the backend recorded (re-check or entity read).
  test('the overview marks the drifted rung', async ({ page }) => {
    await signInAs(page, 'alice');
    await expect(async () => {
      await page.goto('/ladder');
      await expect(
        page.getByRole('link', {
          name: /^Billing worker on Shared dev, Drifted/,
        }),
      ).toBeVisible({ timeout: 10_000 });
    }).toPass({ timeout: 60_000 });
    const cell = page.getByRole('link', {
      name: /^Billing worker on Shared dev, Drifted/,
    });
    await expect(cell).toHaveAttribute('data-status', 'drifted');
    await expect(cell).toContainText(
      `runs ${running.slice(0, 7)}, expected ${placed.slice(0, 7)}`,
    );
    await snap(page, 'drift-03-overview');
  });
});

test('the request dialog shows what a promotion changes: the commit range and the manifest diff', async ({
  page,
}) => {
  const app = 'payments-gateway';
  const [first, second, newest] = commits(app);
  const local = await rungOf(app, 'local');
  expect(local.placement.ref).toBe(newest);
  // The FDE's machine goes back to the first commit (say, to reproduce a bug): promoted there and
  // proven by what `khal evidence push` sends from the terminal ...
  const entityRef = `component:default/${app}`;
  const ref = first.slice(0, 7);
  await ladderApi('alice', 'POST', '/promotions', {
    entityRef,
    toRung: 'local',
    ref,
    reason: 'reproduce a bug on the first release',
  });
  // The promotion is of the full SHA the short name resolves to; evidence names that commit.
  for (const kind of ['build-output', 'typecheck', 'status']) {
    await ladderApi('alice', 'POST', '/evidence', {
      entityRef,
      rung: 'local',
      ref: first,
      kind,
      summary: `${kind}: ok`,
      content: `${kind} ok`,
    });
  }
  await ladderApi('alice', 'POST', '/evidence', {
    entityRef,
    rung: 'local',
    ref: first,
    kind: 'env-contract',
    summary: 'settings supplied locally',
    content: 'DATABASE_URL',
    data: { supplied: ['DATABASE_URL'] },
  });
  // The placement names the commit by its full SHA, whatever name was requested.
  await expect
    .poll(async () => (await rungOf(app, 'local')).placement.ref, {
      timeout: 60_000,
    })
    .toBe(first);

  // ... and then brings the newest commit back from the portal: the dialog says what that changes.
  await signInAs(page, 'alice');
  await page.goto(`/catalog/default/component/${app}/ladder`);
  // Its next rung is Production, which only operators may request: alice goes to another rung.
  await expect(
    page.getByRole('button', { name: 'Request a promotion' }).first(),
  ).toBeDisabled();
  await page
    .getByRole('button', { name: 'Request to another rung' })
    .first()
    .click();
  const dialog = page.getByRole('dialog', { name: 'Request a promotion' });
  await dialog.getByLabel('Target rung').click();
  await page.getByRole('option', { name: 'Local (local)' }).click();
  await dialog
    .getByLabel('Ref (commit, tag or image tag)')
    .fill(newest.slice(0, 7));
  await dialog.getByRole('button', { name: 'Show deploy plan' }).click();

  const changes = dialog.getByRole('region', {
    name: 'Changes of this promotion',
  });
  await expect(changes).toContainText(
    `Compared with what is on Local (${first.slice(0, 7)})`,
  );
  await expect(changes.getByTestId('change-range')).toContainText(
    `From ${first.slice(0, 7)} to ${newest.slice(
      0,
      7,
    )}; settings judged for Local.`,
  );
  const commitList = changes.getByRole('list', {
    name: 'Commits in the range, newest first',
  });
  await expect(commitList.getByRole('listitem')).toHaveText([
    new RegExp(`^${newest.slice(0, 7)}Harden settings — Khal Demo`),
    new RegExp(
      `^${second.slice(0, 7)}Add health endpoint and LOG_LEVEL — Khal Demo`,
    ),
  ]);
  const manifest = changes.getByRole('region', { name: 'Manifest diff' });
  await expect(manifest).toContainText('Setting added: LOG_LEVEL (optional)');
  await expect(manifest).toContainText(
    'Setting added: PAYMENT_PROVIDER_KEY (required, secret)',
  );
  await expect(manifest).toContainText('Runtime health: / → /healthz');
  const settings = changes.getByRole('region', { name: 'Settings for Local' });
  await expect(
    settings.getByRole('listitem', {
      name: /^PAYMENT_PROVIDER_KEY: required, newly required, /,
    }),
  ).toBeVisible();
  // The dialog scrolls on its own: bring the change view into the screenshot.
  await changes.scrollIntoViewIfNeeded();
  await snap(page, 'changes-01-request-dialog');

  // Requesting it puts the seeded ref back on Local.
  await dialog.getByRole('button', { name: 'Request promotion' }).click();
  await expect(dialog).toBeHidden();
  await expect
    .poll(async () => (await rungOf(app, 'local')).placement.ref, {
      timeout: 60_000,
    })
    .toBe(newest);
});
