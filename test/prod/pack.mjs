// The plugins as another Backstage app gets them: each plugin package is packed (`npm pack`, which
// runs `backstage-cli package prepack`) and its tarball is checked for what a consumer loads (main,
// types and exports pointing into dist/, every `files` entry: migrations, config schema, the
// OpenAPI file). Not yet here: installing the tarballs into an app outside the workspace and
// starting its backend (a first attempt never became ready; see the hand-off report).
//
// Usage: node test/prod/pack.mjs   (after a build: npm test -- prod builds first)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from '../../scripts/lib/processes.mjs';

const log = line => console.log(`[pack] ${line}`);

const app = mkdtempSync(join(tmpdir(), 'khal-installed-app-'));
const tarballs = join(app, 'tarballs');
mkdirSync(tarballs);
const modules = join(app, 'node_modules');
mkdirSync(join(modules, '@khal'), { recursive: true });

const problems = [];
const packed = new Map();
for (const dir of readdirSync(join(root, 'plugins'))) {
  const pkgDir = join(root, 'plugins', dir);
  const source = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const [info] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', tarballs], { cwd: pkgDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  const target = join(modules, source.name);
  mkdirSync(target, { recursive: true });
  execFileSync('tar', ['-xzf', join(tarballs, info.filename), '-C', target, '--strip-components=1']);
  const pkg = JSON.parse(readFileSync(join(target, 'package.json'), 'utf8'));
  const wanted = [pkg.main, pkg.types, ...Object.values(pkg.exports ?? {}).flatMap(e => (typeof e === 'string' ? [e] : Object.values(e)))]
    .filter(f => typeof f === 'string' && /^(\.\/)?dist\//.test(f));
  for (const file of wanted) {
    if (!existsSync(join(target, file))) problems.push(`${pkg.name}: the packed package names ${file}, which is not in the tarball`);
  }
  if (pkg.main?.startsWith('src/')) problems.push(`${pkg.name}: main is ${pkg.main}; prepack should point it at dist`);
  for (const extra of pkg.files ?? []) {
    if (!existsSync(join(target, extra))) problems.push(`${pkg.name}: files lists ${extra}, missing from the tarball`);
  }
  packed.set(pkg.name, info.filename);
}
log(`packed ${packed.size} packages: ${[...packed.values()].join(', ')}`);

// Apps on the new frontend system import the plugin from @khal/plugin-ladder/alpha.
const alpha = JSON.parse(readFileSync(join(modules, '@khal', 'plugin-ladder', 'package.json'), 'utf8')).exports?.['./alpha'];
if (!alpha) problems.push('@khal/plugin-ladder: the packed package has no ./alpha export (the new frontend system plugin)');

const ok = problems.length === 0;
for (const p of problems) console.error(`[pack] ${p}`);
log(ok ? `passed (tarballs in ${tarballs})` : 'FAILED');
process.exit(ok ? 0 : 1);
