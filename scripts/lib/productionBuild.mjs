// The production build: what a Backstage deployment ships (the backend bundle, and the app the
// backend serves), made and unpacked the way the Backstage Dockerfile does it, for `npm run
// start:prod` and the production tests.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { root } from './processes.mjs';

/** Where the unpacked production bundle lives (gitignored). */
export const productionDir = join(root, '.prod');

const cli = join(root, 'node_modules', '.bin', 'backstage-cli');

/** name -> folder (relative to the root) of every workspace package. */
function workspacePackages() {
  const out = new Map();
  for (const parent of ['packages', 'plugins']) {
    for (const dir of readdirSync(join(root, parent))) {
      const file = join(root, parent, dir, 'package.json');
      if (existsSync(file)) {
        out.set(JSON.parse(readFileSync(file, 'utf8')).name, `${parent}/${dir}`);
      }
    }
  }
  return out;
}

/** The workspace packages `name` depends on at run time, dependencies first. */
function workspaceDependencies(name, packages, seen = new Set()) {
  const pkg = JSON.parse(
    readFileSync(join(root, packages.get(name), 'package.json'), 'utf8'),
  );
  const order = [];
  for (const dep of Object.keys(pkg.dependencies ?? {})) {
    if (!packages.has(dep) || seen.has(dep)) continue;
    seen.add(dep);
    order.push(...workspaceDependencies(dep, packages, seen), dep);
  }
  return order;
}

function step(what, command, args, cwd = root) {
  const t0 = Date.now();
  execFileSync(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
  console.log(`[build] ${what} (${Math.round((Date.now() - t0) / 1000)}s)`);
}

/**
 * Builds the backend's workspace dependencies and the backend bundle
 * (packages/backend/dist/bundle.tar.gz, what the Backstage Dockerfile copies), optionally the app,
 * and unpacks the bundle into `.prod/`. `withApp: false` (the tests) leaves the app out: the
 * backend then serves the API only. `librariesBuilt` skips rebuilding the workspace packages.
 */
export function buildProduction({ withApp = true, librariesBuilt = false } = {}) {
  const packages = workspacePackages();
  const libraries = workspaceDependencies('backend', packages).filter(
    name => name !== 'app',
  );
  if (!librariesBuilt) {
    // Declarations first: the package builds take their types from dist-types.
    step('declarations (tsc)', 'npx', ['tsc', '--outDir', 'dist-types']);
    for (const name of libraries) {
      step(name, cli, ['package', 'build'], join(root, packages.get(name)));
    }
  }
  if (withApp) step('app', cli, ['package', 'build'], join(root, 'packages', 'app'));
  rmSync(productionDir, { recursive: true, force: true });
  mkdirSync(productionDir, { recursive: true });
  // `backstage-cli package build` of the backend: its code, then the dist workspace it ships (the
  // Dockerfile's bundle). Called through the CLI's packager because the CLI's own command copies
  // yarn.lock, and this workspace is npm's: package-lock.json goes in its place.
  const t0 = Date.now();
  execFileSync(
    process.execPath,
    ['--input-type=module', '-e', bundleScript(productionDir)],
    { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  console.log(`[build] backend bundle (${Math.round((Date.now() - t0) / 1000)}s)`);
  if (withApp) {
    // The bundle packs the app package as its files say; its build output is what app-backend serves.
    execFileSync('cp', ['-a', join(root, 'packages', 'app', 'dist'), join(productionDir, 'packages', 'app')]);
  }
  linkDependencies(packages);
  return productionDir;
}

/** The backend's build and dist workspace, as buildBackend of @backstage/cli-module-build does. */
function bundleScript(targetDir) {
  return `
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
const require = createRequire(${JSON.stringify(join(root, 'package.json'))});
const lib = '@backstage/cli-module-build/dist/lib/';
const { buildPackage } = require(lib + 'builder/packager.cjs.js');
const { Output } = require(lib + 'builder/types.cjs.js');
const { createDistWorkspace } = require(lib + 'packager/createDistWorkspace.cjs.js');
const { PackageGraph } = require('@backstage/cli-node');
const backendDir = ${JSON.stringify(join(root, 'packages', 'backend'))};
const packageJson = JSON.parse(readFileSync(backendDir + '/package.json', 'utf8'));
await buildPackage({ targetDir: backendDir, packageJson, outputs: new Set([Output.cjs]), workspacePackages: await PackageGraph.listTargetPackages() });
await createDistWorkspace([packageJson.name], {
  targetDir: ${JSON.stringify(targetDir)},
  buildDependencies: false,
  files: ['package.json', 'package-lock.json'],
});
`;
}

/**
 * The Dockerfile installs the bundle's production dependencies from the lockfile; here they are
 * the same versions, already installed from that lockfile in the workspace, so they are linked
 * rather than downloaded again. Workspace packages resolve to their packed copies in the bundle,
 * never to the workspace sources.
 */
function linkDependencies(packages) {
  const bundled = new Set();
  for (const [name, dir] of packages) {
    if (existsSync(join(productionDir, dir, 'package.json'))) bundled.add(name);
  }
  const target = join(productionDir, 'node_modules');
  const link = (name, to) => {
    const at = join(target, name);
    mkdirSync(dirname(at), { recursive: true });
    symlinkSync(relative(dirname(at), to), at);
  };
  const top = join(root, 'node_modules');
  const entries = readdirSync(top).flatMap(entry =>
    entry.startsWith('@')
      ? readdirSync(join(top, entry)).map(sub => `${entry}/${sub}`)
      : [entry],
  );
  for (const name of entries) {
    if (name === '.bin' || name.startsWith('.')) continue;
    if (packages.has(name)) {
      if (bundled.has(name)) link(name, join(productionDir, packages.get(name)));
      continue;
    }
    const source = join(top, name);
    const real = lstatSync(source).isSymbolicLink()
      ? resolve(dirname(source), readlinkSync(source))
      : source;
    link(name, real);
  }
  // A workspace package's own nested dependencies (a version other than the root's).
  for (const name of bundled) {
    const nested = join(root, packages.get(name), 'node_modules');
    if (existsSync(nested)) {
      symlinkSync(nested, join(productionDir, packages.get(name), 'node_modules'));
    }
  }
}
