import { Locator, Page } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Screenshots are kept as test artifacts under test-results/screenshots. */
export const screenshotDir = join(
  __dirname,
  '..',
  '..',
  'test-results',
  'screenshots',
);
mkdirSync(screenshotDir, { recursive: true });

/** Signs in as a demo user by pre-selecting them on the demo sign-in page. */
export async function signInAs(page: Page, user: string) {
  await page.addInitScript(name => {
    window.localStorage.setItem('khal-ladder.demo-user', name);
  }, user);
}

/**
 * Takes a full-page screenshot `<name>.png` and writes what it shows next to it: the page's
 * visible text plus the values typed into its form fields, which innerText leaves out
 * (`<name>.txt`), and its HTML (`<name>.html`), so scripts/scan-leaks.mjs can scan screenshots
 * for secrets by their page text.
 */
export async function snap(page: Page, name: string) {
  await page.screenshot({
    path: join(screenshotDir, `${name}.png`),
    fullPage: true,
  });
  const text = await page.evaluate(() => {
    const fields = Array.from(
      document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>(
        'input, textarea',
      ),
    )
      .filter(f => f.type !== 'hidden' && f.value)
      .map(f => `${f.id || f.name || f.type}: ${f.value}`);
    return [
      document.body.innerText,
      ...(fields.length ? ['--- form field values ---', ...fields] : []),
    ].join('\n');
  });
  writeFileSync(
    join(screenshotDir, `${name}.txt`),
    `${page.url()}\n\n${text}\n`,
  );
  writeFileSync(join(screenshotDir, `${name}.html`), await page.content());
}

/**
 * A screenshot of one element, `<name>.png`, with the element's text and HTML next to it, as
 * snap() writes them for a page (scripts/scan-leaks.mjs scans every screenshot by its text).
 */
export async function snapElement(element: Locator, name: string) {
  await element.screenshot({ path: join(screenshotDir, `${name}.png`) });
  writeFileSync(
    join(screenshotDir, `${name}.txt`),
    `${element.page().url()}\n\n${await element.innerText()}\n`,
  );
  writeFileSync(
    join(screenshotDir, `${name}.html`),
    await element.evaluate(e => e.outerHTML),
  );
}
