// `npm run start:prod`: builds what production runs (the backend bundle and the app it serves, see
// scripts/lib/productionBuild.mjs), then starts that bundle the way its container would:
//   node packages/backend --config app-config.yaml --config app-config.production.yaml
// Every ${VAR} of app-config.production.yaml must be set (README "Production"). Extra
// `--config <file>` arguments are passed on; `--no-build` starts the last build.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ensureInstall } from './ensure-install.mjs';
import { runOnPinnedNode } from './lib/pinnedNode.mjs';
import { root } from './lib/processes.mjs';
import { buildProduction, productionDir } from './lib/productionBuild.mjs';

await runOnPinnedNode();
ensureInstall();

const args = process.argv.slice(2);
if (!args.includes('--no-build')) buildProduction({ withApp: true });
const extra = args.filter(a => a !== '--no-build');

const backend = spawn(
  process.execPath,
  [
    'packages/backend',
    '--config',
    join(root, 'app-config.yaml'),
    '--config',
    join(root, 'app-config.production.yaml'),
    ...extra,
  ],
  {
    cwd: productionDir,
    env: { NODE_ENV: 'production', ...process.env },
    stdio: 'inherit',
  },
);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => backend.kill(signal));
}
backend.on('exit', code => process.exit(code ?? 1));
