import fs from 'node:fs';
import * as fixtures from './fixtures';
import { FakePortal, healthyRoutes, startFakePortal } from './fakePortal';
import { makeAppDir } from './runKhal';

/** What each test gets: a fresh fake portal, an app directory with a valid manifest, and the CLI's env. */
export interface FakePortalSession {
  portal: FakePortal;
  app: ReturnType<typeof makeAppDir>;
  env: Record<string, string>;
}

/**
 * Registers beforeEach/afterEach hooks that start a fake portal with the healthy routes and a
 * throw-away app directory for every test, and tear both down afterwards. `use` receives the new
 * session before each test (assign it to the test file's variables).
 */
export function useFakePortal(use: (session: FakePortalSession) => void) {
  let session: FakePortalSession | undefined;
  beforeEach(async () => {
    const portal = await startFakePortal(healthyRoutes(fixtures));
    const app = makeAppDir();
    session = {
      portal,
      app,
      env: {
        KHAL_PORTAL: portal.url,
        KHAL_TOKEN: 'good-token',
        KHAL_CONFIG_DIR: app.configDir,
      },
    };
    use(session);
  });
  afterEach(async () => {
    if (!session) return;
    await session.portal.close();
    fs.rmSync(session.app.dir, { recursive: true, force: true });
    session = undefined;
  });
}
