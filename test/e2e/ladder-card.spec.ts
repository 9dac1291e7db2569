import { expect, test } from '@playwright/test';
import { signInAs, snap } from './session';

test('a demo component page shows the ladder card with its rungs', async ({ page }) => {
  await signInAs(page, 'alice');
  await page.goto('/catalog/default/component/orders-api');
  const card = page.getByRole('region', { name: /ladder/i }).or(page.getByTestId('ladder-card')).first();
  await expect(card).toBeVisible();
  for (const rung of ['Local', 'Mirrored dev-local', 'Shared dev', 'Customer HML', 'Production']) {
    await expect(card.getByText(rung, { exact: true }).first()).toBeVisible();
  }
  await snap(page, 'ladder-card-orders-api');
});
