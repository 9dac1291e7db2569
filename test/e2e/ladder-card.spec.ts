import { expect, test } from '@playwright/test';
import { signInAs, snap } from './session';

test('a demo component page shows the ladder card with its rungs', async ({ page }) => {
  await signInAs(page, 'alice');
  await page.goto('/catalog/default/component/billing-worker');
  const card = page.getByTestId('ladder-card');
  await expect(card).toBeVisible();
  const rungs = ['local', 'mirrored', 'dev', 'hml', 'prod'];
  for (const rung of rungs) {
    await expect(card.getByTestId(`rung-${rung}`)).toBeVisible();
  }
  // The seeded state: billing-worker is proven on shared dev, and the card says what comes next.
  await expect(card.getByTestId('rung-dev')).toContainText('Proven');
  await expect(card.getByTestId('ladder-next-step')).toContainText('Next: promote');
  await card.scrollIntoViewIfNeeded();
  await snap(page, 'ladder-card-billing-worker');
});

test('a component without the ladder annotation has no ladder card', async ({ page }) => {
  await signInAs(page, 'alice');
  await page.goto('/catalog/default/component/docs-site');
  await expect(page.getByText('Docs site').first()).toBeVisible();
  await expect(page.getByTestId('ladder-card')).toHaveCount(0);
});

test('the stock Kubernetes tab shows a demo component from the simulated clusters', async ({ page }) => {
  await signInAs(page, 'alice');
  await page.goto('/catalog/default/component/payments-gateway/kubernetes');
  // Cluster titles come from the standard kubernetes config (app-config.yaml).
  for (const title of ['Shared dev (kind, simulated)', 'Customer HML (k3s, simulated)', 'Production (OKE, simulated)']) {
    await expect(page.getByText(title)).toBeVisible();
  }
  await expect(page.getByText('3 pods')).toBeVisible();
  await page.getByText('Production (OKE, simulated)').click();
  await expect(page.getByText('payments-gateway').first()).toBeVisible();
  await expect(page.getByText(/error communicating with kubernetes/i)).toHaveCount(0);
  await snap(page, 'kubernetes-tab-payments-gateway');
});
