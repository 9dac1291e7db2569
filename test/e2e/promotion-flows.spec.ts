import { expect, test } from '@playwright/test';
import {
  claimAndDeploy,
  commits,
  deploy,
  dryRun,
  ladderApi,
  plan,
  runCommand,
} from './portal';
import { signInAs, snap } from './session';

test.describe.serial('walking the ladder in the browser', () => {
  test('a requester records evidence, requests Shared dev, fixes the failing gates, and the promotion completes', async ({
    page,
  }) => {
    const view = await ladderApi(
      'alice',
      'GET',
      '/entities/component/default/orders-api',
    );
    // Placements and promotions name the full commit SHA; the portal shows its first 7 characters.
    const ref: string = view.rungs.find((r: any) => r.rung.id === 'local')
      .placement.ref;
    expect(ref).toMatch(/^[0-9a-f]{40}$/);
    const short = ref.slice(0, 7);

    // Its previous release already runs on shared dev, deployed by hand before the team used the
    // ladder: the rung's settings are observed there (an attestation does not count on a cluster
    // rung), and the promotion's commit will have a revision to roll back to.
    await deploy('shared-dev', 'orders-api', commits('orders-api')[1]);

    await signInAs(page, 'alice');
    await page.goto('/catalog/default/component/orders-api/ladder');

    // Record the build output for Local from the portal.
    await page
      .getByRole('button', { name: 'Record evidence for Local' })
      .click();
    const evidenceDialog = page.getByRole('dialog', {
      name: 'Record evidence',
    });
    await evidenceDialog.getByLabel('Kind').click();
    await page.getByRole('option', { name: 'build-output' }).click();
    await evidenceDialog
      .getByLabel('Summary: what does it show?')
      .fill('npm run build: ok');
    await evidenceDialog
      .getByLabel('Content (e.g. build output)')
      .fill('> orders-api@1.0.0 build\n> tsc -p .\nbuilt in 3.1s');
    await snap(page, 'flow1-01-record-evidence');
    await evidenceDialog
      .getByRole('button', { name: 'Record evidence' })
      .click();
    await expect(evidenceDialog).toBeHidden();

    // The rest of Local's proof comes from the FDE's terminal (`khal evidence push`).
    for (const kind of ['typecheck', 'status']) {
      await ladderApi('alice', 'POST', '/evidence', {
        entityRef: 'component:default/orders-api',
        rung: 'local',
        ref,
        kind,
        summary: `${kind}: ok`,
        content: `${kind} ok`,
      });
    }
    await ladderApi('alice', 'POST', '/evidence', {
      entityRef: 'component:default/orders-api',
      rung: 'local',
      ref,
      kind: 'env-contract',
      summary: 'settings supplied locally',
      content: 'DATABASE_URL',
      data: { supplied: ['DATABASE_URL'] },
    });
    await page.reload();
    await expect(page.getByTestId('rung-local').first()).toContainText(
      'Proven',
    );

    // Request the promotion: the dialog shows the deploy plan before confirming.
    await page
      .getByRole('button', { name: 'Request a promotion' })
      .first()
      .click();
    const requestDialog = page.getByRole('dialog', {
      name: 'Request a promotion',
    });
    await requestDialog.getByLabel('Target rung').click();
    await page.getByRole('option', { name: 'Shared dev' }).click();
    await requestDialog
      .getByRole('button', { name: 'Show deploy plan' })
      .click();
    await expect(requestDialog).toContainText('Deploy plan');
    await expect(requestDialog).toContainText('shared-dev');
    await snap(page, 'flow1-02-deploy-plan');
    await requestDialog
      .getByRole('button', { name: 'Request promotion' })
      .click();
    await expect(requestDialog).toBeHidden();

    // Blocked: the failing gates and how to fix them.
    const promotion = page
      .locator('.MuiCard-root')
      .filter({ hasText: `Promotion of ${short} to Shared dev` });
    await expect(promotion).toContainText('Blocked');
    await expect(promotion).toContainText('dry-run');
    await expect(promotion).toContainText('khal deploy --dry-run');
    await snap(page, 'flow1-03-blocked');

    // A dry-run that only says "clean" is not one: the gate wants the rung's real dry-run command's
    // exit code and the portal's plan digest.
    await ladderApi('alice', 'POST', '/evidence', {
      entityRef: 'component:default/orders-api',
      rung: 'dev',
      ref,
      kind: 'dry-run',
      summary: 'dry-run against shared dev: clean',
      content: 'plan resolved',
      data: { clean: true, target: 'dev' },
    });
    await promotion.getByRole('button', { name: 'Re-check gates' }).click();
    await expect(promotion).toContainText('Blocked');
    // Satisfy it as `khal deploy --dry-run --target dev` does (kubectl --dry-run=client against the
    // cluster), then re-check. The settings are observed on the cluster, where orders-api's previous
    // commit runs with its DATABASE_URL wired.
    await dryRun('alice', 'orders-api', 'dev', ref);
    await promotion.getByRole('button', { name: 'Re-check gates' }).click();
    await expect(promotion).toContainText('Verifying');
    await snap(page, 'flow1-04-verifying');

    // The deploy happens as `khal deploy --target dev` runs it: the rung's rendered command applies
    // the app's deploy/kubernetes.yaml at the commit with kubectl, and the rollout completes.
    const devPlan = await plan('alice', 'orders-api', 'dev', ref);
    expect(devPlan.commands.deploy).toContain(ref);
    await runCommand('orders-api', ref, devPlan.commands.deploy);
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId('rung-dev').first()).toContainText(short, {
        timeout: 10_000,
      });
    }).toPass({ timeout: 60_000 });
    await expect(page.getByTestId('rung-dev').first()).toContainText('Proven');
    await snap(page, 'flow1-05-promoted');
  });

  test('on HML, the requester cannot approve; a stakeholder approves from the inbox and the requester sees it live', async ({
    browser,
  }) => {
    // The seed proved customer-portal's newest commit on Shared dev and requested it onto HML.
    const open = await ladderApi(
      'alice',
      'GET',
      `/promotions?entityRef=${encodeURIComponent(
        'component:default/customer-portal',
      )}&phase=AwaitingApproval`,
    );
    const requested = open.items.find((p: any) => p.toRung === 'hml');
    const sha: string = requested.ref;
    const short = sha.slice(0, 7);
    // The portal's previous release runs on customer HML, deployed before the ladder: the revision
    // the promotion's commit can be rolled back to (kubernetes-reversible).
    await deploy(
      'customer-hml',
      'customer-portal',
      commits('customer-portal')[1],
    );
    const alice = await browser.newPage();
    await signInAs(alice, 'alice');
    await alice.goto('/catalog/default/component/customer-portal/ladder');
    const promotion = alice
      .locator('.MuiCard-root')
      .filter({ hasText: `Promotion of ${short} to Customer HML` });
    await expect(promotion).toContainText('Awaiting approval');
    await expect(
      promotion.getByRole('button', { name: 'Approve' }),
    ).toBeDisabled();
    await expect(promotion).toContainText('you requested this promotion');
    await snap(alice, 'flow2-01-requester-cannot-approve');

    const sam = await browser.newPage();
    await signInAs(sam, 'sam');
    await sam.goto('/ladder/approvals');
    await expect(sam.getByText('customer-portal').first()).toBeVisible();
    // HML is a customer rung: the stakeholder reads the requester's explanation before anything else.
    const explanation = sam
      .getByRole('region', { name: 'Explanation for the customer' })
      .first();
    await expect(explanation).toContainText('Explanation for Acme Retail');
    await expect(explanation).toContainText(
      `customer-portal ${short} for Acme Retail`,
    );
    await snap(sam, 'flow2-02-inbox');
    await sam.getByRole('button', { name: 'Approve' }).first().click();
    const decision = sam.getByRole('dialog');
    await decision
      .getByLabel('Comment (optional)')
      .fill('Acme accepts the new portal');
    await decision.getByRole('button', { name: 'Approve' }).click();
    await expect(decision).toBeHidden();
    await snap(sam, 'flow2-03-approved');

    // No reload: the requester's page follows through signals.
    await expect(promotion).not.toContainText('Awaiting approval', {
      timeout: 30_000,
    });
    await expect(promotion).toContainText('sam');
    await snap(alice, 'flow2-04-requester-live-update');

    // Approved is not deployed: the rung stays empty until a deploy claims the promotion.
    await expect(alice.getByTestId('rung-hml').first()).not.toContainText(
      short,
    );
    expect(
      (await ladderApi('alice', 'GET', `/promotions/${requested.id}`)).phase,
    ).toBe('Approved');

    // The customer deploy (`khal deploy --target hml`) claims it, applies the commit with kubectl and
    // reports; the rollout is observed, the placement moves and the overview shows it.
    await claimAndDeploy('alice', requested.id, 'customer-portal', 'hml', sha);
    await expect(alice.getByTestId('rung-hml').first()).toContainText(short, {
      timeout: 60_000,
    });
    await alice.goto('/ladder');
    const row = alice.getByRole('row', { name: /Customer portal/ });
    await expect(row).toContainText(short);
    await expect(row).not.toContainText('Awaiting approval');
    await snap(alice, 'flow2-05-overview');
  });
});
