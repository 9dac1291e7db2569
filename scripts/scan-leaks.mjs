// Leak scan: after the browser tests (scripts/e2e.mjs, whose test/e2e/secrets.spec.ts plants fake
// secrets through every input), searches every artifact of the run for the planted values, raw,
// URL-encoded and base64-encoded:
//   - everything under test-results/ (process logs, page text and HTML of every screenshot, the
//     API answers the browser saw, the Playwright and Jest reports, any other file);
//   - the run's throw-away SQLite database: every row of every table (audit events, evidence,
//     promotions, approvals, notifications, …) and the raw bytes of its files.
// Fails with file:line (or database:table#row.column) for every hit, and fails when there is
// not enough to scan (no logs, screenshots without page text, no planted pages, no database) so
// it cannot pass by scanning nothing. Deletes the throw-away database after a clean scan.
//
// Usage: node scripts/scan-leaks.mjs [--dir <test-results>] [--keep-db]
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { allPlantedValues, searchForms } from './lib/plantedSecrets.mjs';
import { root } from './lib/processes.mjs';

const args = process.argv.slice(2);
const option = name => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const resultsDir = option('--dir') ?? join(root, 'test-results');
const keepDb = args.includes('--keep-db');

/** What to search for: every planted value in each of its forms. */
const needles = allPlantedValues.flatMap(({ id, value }) =>
  [...searchForms(value)].map(([form, encoding]) => ({ id, form, encoding })),
);

const hits = [];
const problems = [];

function lineOf(text, index) {
  let line = 1;
  for (
    let i = text.indexOf('\n');
    i !== -1 && i < index;
    i = text.indexOf('\n', i + 1)
  )
    line++;
  return line;
}

/** Searches one text; `where(index)` names the place of a hit. */
function scanText(text, where) {
  for (const { id, form, encoding } of needles) {
    for (let i = text.indexOf(form); i !== -1; i = text.indexOf(form, i + 1)) {
      hits.push(`${where(i)}: planted ${id} (${encoding})`);
    }
  }
}

function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path) : [path];
  });
}

// --- Files under test-results ---------------------------------------------------------------
const categories = {
  logs: { files: 0, bytes: 0, lines: 0 },
  'page text': { files: 0, bytes: 0, lines: 0 },
  'page html': { files: 0, bytes: 0, lines: 0 },
  'api answers': { files: 0, bytes: 0, lines: 0 },
  reports: { files: 0, bytes: 0, lines: 0 },
  'screenshots (png, by their page text)': { files: 0, bytes: 0, lines: 0 },
  other: { files: 0, bytes: 0, lines: 0 },
};
function categoryOf(rel) {
  if (rel.startsWith('logs/')) return 'logs';
  if (rel.startsWith('api-responses/')) return 'api answers';
  if (rel.endsWith('.png')) return 'screenshots (png, by their page text)';
  if (rel.startsWith('screenshots/') && rel.endsWith('.txt'))
    return 'page text';
  if (rel.startsWith('screenshots/') && rel.endsWith('.html'))
    return 'page html';
  if (/^(jest|playwright)\.json$/.test(rel)) return 'reports';
  return 'other';
}

const files = walk(resultsDir);
const texts = {};
for (const file of files) {
  const rel = relative(resultsDir, file);
  const bytes = readFileSync(file);
  // Binary files are searched byte for byte (latin1 keeps every byte); text files as UTF-8.
  const text = bytes.includes(0)
    ? bytes.toString('latin1')
    : bytes.toString('utf8');
  const category = categories[categoryOf(rel)];
  category.files++;
  category.bytes += bytes.length;
  category.lines += text.split('\n').length;
  texts[rel] = text;
  scanText(text, i => `test-results/${rel}:${lineOf(text, i)}`);
  // Coloured logs: a value split by colour codes is still a leak (lines stay where they were).
  const plain = text.replace(/\x1b\[[0-9;]*m/g, '');
  if (plain !== text) {
    const before = hits.length;
    scanText(plain, i => `test-results/${rel}:${lineOf(plain, i)}`);
    const found = new Set(hits.slice(0, before));
    hits.splice(
      before,
      Infinity,
      ...hits.slice(before).filter(h => !found.has(h)),
    );
  }
}

// --- Enough to scan? ------------------------------------------------------------------------
const relFiles = Object.keys(texts);
if (!existsSync(resultsDir) || relFiles.length === 0)
  problems.push(
    `nothing to scan: ${resultsDir} is missing or empty; run the browser tests first (npm test -- e2e)`,
  );
for (const name of ['backend', 'app', 'clusters', 'playwright']) {
  const rel = `logs/${name}.log`;
  if (texts[rel] === undefined)
    problems.push(
      `no ${rel}: scripts/e2e.mjs writes every process's output there`,
    );
  else if (name !== 'clusters' && texts[rel].trim() === '')
    problems.push(`${rel} is empty: was the ${name} output captured?`);
}
const pngs = relFiles.filter(
  f => f.startsWith('screenshots/') && f.endsWith('.png'),
);
if (pngs.length === 0)
  problems.push('no screenshots under test-results/screenshots');
for (const png of pngs) {
  for (const ext of ['.txt', '.html']) {
    const sibling = png.replace(/\.png$/, ext);
    if (texts[sibling] === undefined)
      problems.push(
        `${png} has no ${sibling}: take screenshots with snap() from test/e2e/session.ts, which writes the page text next to them`,
      );
  }
}
const plantedPages = relFiles.filter(f =>
  /^screenshots\/secrets-.*\.txt$/.test(f),
);
if (plantedPages.length < 5)
  problems.push(
    `only ${plantedPages.length} page texts of the planted-secrets spec (screenshots/secrets-*.txt, expected at least 5): did test/e2e/secrets.spec.ts run?`,
  );
else if (!plantedPages.some(f => texts[f].includes('[REDACTED:')))
  problems.push(
    'no page of the planted-secrets spec shows a [REDACTED:…] marker: the secrets were not planted, so the scan would prove nothing',
  );
const answers = texts['api-responses/secrets-spec.jsonl'];
if (!answers?.trim())
  problems.push(
    'no API answers of the planted-secrets spec in api-responses/secrets-spec.jsonl',
  );
else if (!answers.includes('[REDACTED:'))
  problems.push(
    'the API answers of the planted-secrets spec hold no [REDACTED:…] marker: the secrets were not planted',
  );
if (texts['playwright.json'] === undefined)
  problems.push(
    'no playwright.json report (scripts/e2e.mjs runs Playwright with the json reporter)',
  );

// --- The throw-away database ----------------------------------------------------------------
const db = { files: 0, bytes: 0, tables: 0, rows: 0, cells: 0, perTable: {} };
let scratch;
const runFile = join(resultsDir, 'e2e-run.json');
if (!existsSync(runFile)) {
  problems.push(
    `no ${relative(
      root,
      runFile,
    )}: the database of the browser-test run is deleted after each clean scan; run the browser tests again (npm test -- e2e leaks)`,
  );
} else {
  const run = JSON.parse(readFileSync(runFile, 'utf8'));
  scratch = run.scratch;
  const dir = run.sqliteDirectory;
  const dbFiles = existsSync(dir)
    ? readdirSync(dir).filter(f => /\.sqlite/.test(f))
    : [];
  if (dbFiles.length === 0)
    problems.push(
      `no SQLite files in ${dir} (the browser-test run's database)`,
    );
  const Database = createRequire(import.meta.url)('better-sqlite3');
  for (const name of dbFiles) {
    const path = join(dir, name);
    // Raw bytes too: a secret in a freed page or the journal is still on disk.
    const raw = readFileSync(path);
    db.files++;
    db.bytes += raw.length;
    scanText(raw.toString('latin1'), i => `${path}@byte ${i}`);
    if (!name.endsWith('.sqlite')) continue;
    const conn = new Database(path, { readonly: true, fileMustExist: true });
    try {
      const tables = conn
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
        .all()
        .map(t => t.name);
      for (const table of tables) {
        db.tables++;
        let n = 0;
        for (const row of conn
          .prepare(`SELECT * FROM "${table.replace(/"/g, '""')}"`)
          .iterate()) {
          n++;
          for (const [column, value] of Object.entries(row)) {
            if (value === null || value === undefined) continue;
            db.cells++;
            const text = Buffer.isBuffer(value)
              ? value.toString('utf8')
              : String(value);
            scanText(text, () => `${name}:${table}#${n}.${column}`);
          }
        }
        db.rows += n;
        db.perTable[table] = n;
      }
    } finally {
      conn.close();
    }
  }
  for (const table of [
    'ladder_audit_events',
    'ladder_evidence',
    'ladder_promotions',
    'ladder_approvals',
    'notification',
  ]) {
    if (!db.perTable[table])
      problems.push(
        `the database has no rows in ${table}: nothing planted reached it, so the scan would prove nothing`,
      );
  }
}

// --- Report ---------------------------------------------------------------------------------
const kb = n => `${(n / 1024).toFixed(1)} KiB`;
console.log(
  `[leaks] searching for ${allPlantedValues.length} planted values in ${needles.length} forms (raw, URL-encoded, base64)`,
);
for (const [name, c] of Object.entries(categories)) {
  if (c.files)
    console.log(
      `[leaks]   ${name.padEnd(38)} ${String(c.files).padStart(4)} files ${kb(
        c.bytes,
      ).padStart(12)} ${String(c.lines).padStart(8)} lines`,
    );
}
console.log(
  `[leaks]   ${'database (rows of every table)'.padEnd(38)} ${String(
    db.files,
  ).padStart(4)} files ${kb(db.bytes).padStart(12)} ${String(db.rows).padStart(
    8,
  )} rows in ${db.tables} tables, ${db.cells} cells`,
);
const ladderRows = Object.entries(db.perTable)
  .filter(([t]) => /^ladder_|^notification$/.test(t))
  .map(([t, n]) => `${t} ${n}`)
  .join(', ');
if (ladderRows) console.log(`[leaks]   of which: ${ladderRows}`);

if (problems.length) {
  console.error(
    `[leaks] FAILED: not enough to scan:\n${problems
      .map(p => `  - ${p}`)
      .join('\n')}`,
  );
}
if (hits.length) {
  console.error(
    `[leaks] FAILED: ${hits.length} planted secret(s) found:\n${hits
      .map(h => `  ${h}`)
      .join('\n')}`,
  );
}
if (problems.length || hits.length) {
  if (scratch)
    console.error(
      `[leaks] the run's database is kept for inspection in ${scratch}`,
    );
  process.exit(1);
}
console.log('[leaks] no planted secret found anywhere');
if (scratch && !keepDb && /khal-e2e-/.test(scratch)) {
  rmSync(scratch, { recursive: true, force: true });
  rmSync(runFile, { force: true });
  console.log(
    `[leaks] deleted the run's throw-away database and repositories (${scratch})`,
  );
}
