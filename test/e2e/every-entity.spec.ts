import { expect, Page, test } from '@playwright/test';
import { demoToken } from './portal';
import { signInAs, snap, snapElement } from './session';

/**
 * Every demo entity's Ladder tab, every section of it opened (the collapsed rung details
 * expanded), with no error state anywhere; a screenshot of each is kept as a test artifact, and
 * one of the Changes section of customer-portal's open promotion to Customer HML.
 */

/** The demo catalog's components on a ladder, asked of the catalog (not a list kept here). */
async function laddered(): Promise<string[]> {
  const res = await fetch(
    'http://localhost:7007/api/catalog/entities/by-query?filter=kind=component&fields=metadata.name,metadata.annotations',
    { headers: { authorization: `Bearer ${await demoToken('alice')}` } },
  );
  expect(res.ok).toBe(true);
  const { items } = (await res.json()) as {
    items: Array<{
      metadata: { name: string; annotations?: Record<string, string> };
    }>;
  };
  return items
    .filter(e => e.metadata.annotations?.['khal.ai/ladder'])
    .map(e => e.metadata.name)
    .sort();
}

/** No error alert, error panel or failed section anywhere on the page. */
async function expectNoErrorState(page: Page) {
  await expect(
    page.locator(
      '.MuiAlert-standardError, .MuiAlert-filledError, .MuiAlert-outlinedError',
    ),
  ).toHaveCount(0);
  await expect(page.getByTestId('error-details')).toHaveCount(0);
  await expect(
    page.getByText(
      /something went wrong|could not be loaded|failed to load|TypeError|is not a function/i,
    ),
  ).toHaveCount(0);
}

/** Opens every collapsed rung section of the tab and waits until each shows its content. */
async function expandAll(page: Page) {
  const sections = page.locator('[data-testid^="rung-details-"]');
  const count = await sections.count();
  expect(count).toBeGreaterThan(0);
  for (let i = 0; i < count; i++) {
    const summary = sections.nth(i).locator('[aria-expanded]').first();
    if ((await summary.getAttribute('aria-expanded')) === 'false')
      await summary.click();
    await expect(summary).toHaveAttribute('aria-expanded', 'true');
  }
  // Sections load their own data (evidence, changes): wait until no spinner is left.
  await expect(page.locator('[role="progressbar"]')).toHaveCount(0, {
    timeout: 30_000,
  });
}

test('every demo entity: its Ladder tab, every section open, no error state', async ({
  page,
}) => {
  test.setTimeout(240_000);
  const names = await laddered();
  // The demo catalog's apps on the two ladders; a new one joins this test by itself.
  expect(names).toEqual(
    expect.arrayContaining([
      'billing-worker',
      'customer-portal',
      'edge-proxy',
      'orders-api',
    ]),
  );
  await signInAs(page, 'alice');
  for (const name of names) {
    await page.goto(`/catalog/default/component/${name}/ladder`);
    await expect(
      page.locator('[data-testid^="rung-details-"]').first(),
    ).toBeVisible({ timeout: 30_000 });
    await expandAll(page);
    await expectNoErrorState(page);
    await snap(page, `every-entity-${name}`);
  }
});

test("customer-portal's open promotion to Customer HML: its Changes section", async ({
  page,
}) => {
  await signInAs(page, 'sam');
  await page.goto('/catalog/default/component/customer-portal/ladder');
  const panel = page.getByRole('region', { name: /^Promotion / }).first();
  await expect(panel).toBeVisible({ timeout: 30_000 });
  await expect(panel).toContainText(/Customer HML/);
  const changes = panel.getByTestId('change-view');
  await expect(changes).toBeVisible({ timeout: 30_000 });
  await expect(panel.locator('[role="progressbar"]')).toHaveCount(0, {
    timeout: 30_000,
  });
  await expectNoErrorState(page);
  await changes.scrollIntoViewIfNeeded();
  await snap(page, 'every-entity-customer-portal-hml-changes');
  await snapElement(
    changes,
    'every-entity-customer-portal-hml-changes-section',
  );
});
