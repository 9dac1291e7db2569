// `npm start`: the portal on its embedded default — simulated clusters, backend (:7007) and
// frontend (:3000), SQLite files under data/, the demo catalog and the demo apps' git repos.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureInstall } from './ensure-install.mjs';
import { runOnPinnedNode } from './lib/pinnedNode.mjs';

// On an older PATH node: re-run under the pinned one. Then the dependencies, then the rest.
await runOnPinnedNode();
ensureInstall();
const { ensureDemoRepos } = await import('./demo-repos.mjs');
const { root, run, runDemoClusters, stop, waitForUrl } = await import(
  './lib/processes.mjs'
);
const { seedDemo } = await import('./seed-demo.mjs');

mkdirSync(join(root, 'data', 'sqlite'), { recursive: true });
ensureDemoRepos();

const children = [runDemoClusters()];
// The backend trusts the clusters' CA file (app-config.yaml caFile): it exists once they listen.
await children[0].started;
const backstageCli = join(root, 'node_modules', '.bin', 'backstage-cli');
children.push(
  run('portal', backstageCli, ['repo', 'start'], { env: { FORCE_COLOR: '1' } }),
);

const shutdown = async () => {
  await Promise.all(children.map(stop));
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

waitForUrl('http://localhost:7007/.backstage/health/v1/readiness')
  .then(() => seedDemo({ baseUrl: 'http://localhost:7007' }))
  .then(
    summary =>
      console.log(
        `[seed] ${summary}\n\nKhal Ladder is up: http://localhost:3000`,
      ),
    error => console.error(`[seed] demo state not seeded: ${error.message}`),
  );
