import { Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Screenshots are kept as test artifacts under test-results/screenshots. */
export const screenshotDir = join(__dirname, '..', '..', 'test-results', 'screenshots');
mkdirSync(screenshotDir, { recursive: true });

/** Signs in as a demo user by pre-selecting them on the demo sign-in page. */
export async function signInAs(page: Page, user: string) {
  await page.addInitScript(name => {
    window.localStorage.setItem('khal-ladder.demo-user', name);
  }, user);
}

export async function snap(page: Page, name: string) {
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}
