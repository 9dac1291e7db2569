// Proves scripts/scan-leaks.mjs can fail: builds a complete, clean artifact set (logs, screenshots
// with page text, API answers, reports, a SQLite database) in a temporary directory, checks the
// scan passes on it, then plants one secret at a time (raw, base64, URL-encoded; in a log, a page
// text, an API answer, a database row) and removes required parts, expecting a non-zero exit that
// names the place. Run by `npm test -- leaks` (node --test scripts/scan-leaks.test.mjs).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { plantedSecrets, plantedSettingValue } from './lib/plantedSecrets.mjs';
import { root } from './lib/processes.mjs';

const Database = createRequire(import.meta.url)('better-sqlite3');
const scanner = join(root, 'scripts', 'scan-leaks.mjs');
const secret = id => plantedSecrets.find(s => s.id === id).value;

/** A clean artifact set as scripts/e2e.mjs and the secrets spec leave it. */
function artifacts() {
  const dir = mkdtempSync(join(tmpdir(), 'khal-leaks-test-'));
  const scratch = mkdtempSync(join(tmpdir(), 'khal-e2e-leaks-test-'));
  const sqlite = join(scratch, 'sqlite');
  mkdirSync(sqlite, { recursive: true });
  mkdirSync(join(dir, 'logs'));
  mkdirSync(join(dir, 'screenshots'));
  mkdirSync(join(dir, 'api-responses'));
  for (const name of ['backend', 'app', 'clusters', 'playwright'])
    writeFileSync(
      join(dir, 'logs', `${name}.log`),
      `${name} started\n${name} ready\n`,
    );
  for (let i = 1; i <= 5; i++) {
    const name = join(dir, 'screenshots', `secrets-0${i}-page`);
    writeFileSync(
      `${name}.png`,
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]),
    );
    writeFileSync(
      `${name}.txt`,
      `http://localhost:3000/x\n\nGITHUB_TOKEN=[REDACTED:secret-value]\n`,
    );
    writeFileSync(`${name}.html`, '<html><body>[REDACTED:jwt]</body></html>');
  }
  writeFileSync(
    join(dir, 'api-responses', 'secrets-spec.jsonl'),
    `${JSON.stringify({
      url: '/api/ladder/evidence',
      body: '{"summary":"[REDACTED:github-token]"}',
    })}\n`,
  );
  writeFileSync(join(dir, 'playwright.json'), '{"suites":[]}\n');
  writeFileSync(
    join(dir, 'e2e-run.json'),
    JSON.stringify({ scratch, sqliteDirectory: sqlite }),
  );
  const ladder = new Database(join(sqlite, 'ladder.sqlite'));
  for (const table of [
    'ladder_audit_events',
    'ladder_evidence',
    'ladder_promotions',
    'ladder_approvals',
  ]) {
    ladder.exec(
      `CREATE TABLE ${table} (id INTEGER PRIMARY KEY, body TEXT, blob BLOB)`,
    );
    ladder
      .prepare(`INSERT INTO ${table} (body) VALUES (?)`)
      .run('password: [REDACTED:secret-value]');
  }
  ladder.close();
  const notifications = new Database(join(sqlite, 'notifications.sqlite'));
  notifications.exec('CREATE TABLE notification (id TEXT, title TEXT)');
  notifications
    .prepare('INSERT INTO notification VALUES (?, ?)')
    .run('n1', 'Promotion waits for you');
  notifications.close();
  return { dir, scratch, sqlite };
}

function scan(dir, ...extra) {
  const res = spawnSync(process.execPath, [scanner, '--dir', dir, ...extra], {
    encoding: 'utf8',
  });
  return { code: res.status, out: `${res.stdout}${res.stderr}` };
}

function cleanup({ dir, scratch }) {
  rmSync(dir, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
}

test('a clean artifact set passes, says what it scanned, and deletes the database', () => {
  const a = artifacts();
  try {
    const { code, out } = scan(a.dir);
    assert.equal(code, 0, out);
    assert.match(out, /logs\s+4 files/);
    assert.match(out, /page text\s+5 files/);
    assert.match(out, /database \(rows of every table\)\s+2 files .* 5 rows/);
    assert.equal(
      existsSync(a.scratch),
      false,
      'the throw-away database is deleted after a clean scan',
    );
    assert.equal(existsSync(join(a.dir, 'e2e-run.json')), false);
    // Scanned again, there is no database any more: that is a failure, not a pass.
    const again = scan(a.dir);
    assert.equal(again.code, 1, again.out);
    assert.match(again.out, /no test-results\/e2e-run\.json|e2e-run\.json/);
  } finally {
    cleanup(a);
  }
});

const plants = [
  {
    what: 'a raw token in a backend log line',
    plant: a =>
      appendFileSync(
        join(a.dir, 'logs', 'backend.log'),
        `info: request with ${secret('github-token')}\n`,
      ),
    expect: /logs\/backend\.log:3: planted github-token \(raw\)/,
  },
  {
    what: 'a base64-encoded password in a page text',
    plant: a =>
      appendFileSync(
        join(a.dir, 'screenshots', 'secrets-03-page.txt'),
        `data: ${Buffer.from(`x:${secret('password-field')}!`).toString(
          'base64',
        )}\n`,
      ),
    expect:
      /screenshots\/secrets-03-page\.txt:4: planted password-field \(base64\)/,
  },
  {
    what: 'a URL-encoded secret in an API answer',
    plant: a =>
      appendFileSync(
        join(a.dir, 'api-responses', 'secrets-spec.jsonl'),
        `{"url":"/x?client_secret=${encodeURIComponent(
          secret('secret-key-value'),
        )}"}\n`,
      ),
    expect:
      /api-responses\/secrets-spec\.jsonl:2: planted secret-key-value \(url-encoded\)/,
  },
  {
    what: 'a declared secret setting value in an audit row',
    plant: a => {
      const conn = new Database(join(a.sqlite, 'ladder.sqlite'));
      conn
        .prepare('INSERT INTO ladder_audit_events (body) VALUES (?)')
        .run(`DATABASE_URL=${plantedSettingValue.value}`);
      conn.close();
    },
    expect:
      /ladder\.sqlite:ladder_audit_events#2\.body: planted declared-secret-setting \(raw\)/,
  },
  {
    what: 'a token in a BLOB cell of a notification',
    plant: a => {
      const conn = new Database(join(a.sqlite, 'notifications.sqlite'));
      conn
        .prepare('INSERT INTO notification VALUES (?, ?)')
        .run('n2', Buffer.from(`see ${secret('slack-token')}`));
      conn.close();
    },
    expect:
      /notifications\.sqlite:notification#2\.title: planted slack-token \(raw\)/,
  },
  {
    what: 'a secret in any other file, e.g. a Playwright error context',
    plant: a => {
      mkdirSync(join(a.dir, 'e2e', 'secrets-spec'), { recursive: true });
      writeFileSync(
        join(a.dir, 'e2e', 'secrets-spec', 'error-context.md'),
        `- textbox: ${secret('aws-access-key')}\n`,
      );
    },
    expect:
      /e2e\/secrets-spec\/error-context\.md:1: planted aws-access-key \(raw\)/,
  },
];

for (const { what, plant, expect } of plants) {
  test(`fails on ${what}, naming the place, and keeps the database`, () => {
    const a = artifacts();
    try {
      plant(a);
      const { code, out } = scan(a.dir);
      assert.equal(code, 1, out);
      assert.match(out, /FAILED: \d+ planted secret\(s\) found/);
      assert.match(out, expect);
      assert.equal(
        existsSync(a.scratch),
        true,
        'a failed scan keeps the database for inspection',
      );
    } finally {
      cleanup(a);
    }
  });
}

const gaps = [
  {
    what: 'no test results at all',
    make: a => rmSync(a.dir, { recursive: true, force: true }),
    expect: /nothing to scan/,
  },
  {
    what: 'a screenshot without its page text',
    make: a => rmSync(join(a.dir, 'screenshots', 'secrets-02-page.txt')),
    expect: /secrets-02-page\.png has no screenshots\/secrets-02-page\.txt/,
  },
  {
    what: 'a missing backend log',
    make: a => rmSync(join(a.dir, 'logs', 'backend.log')),
    expect: /no logs\/backend\.log/,
  },
  {
    what: 'pages without any redaction marker (nothing was planted)',
    make: a => {
      for (let i = 1; i <= 5; i++)
        writeFileSync(
          join(a.dir, 'screenshots', `secrets-0${i}-page.txt`),
          'nothing here\n',
        );
    },
    expect: /no page of the planted-secrets spec shows a \[REDACTED:…\] marker/,
  },
  {
    what: 'an audit table without rows',
    make: a => {
      const conn = new Database(join(a.sqlite, 'ladder.sqlite'));
      conn.exec('DELETE FROM ladder_audit_events');
      conn.close();
    },
    expect: /no rows in ladder_audit_events/,
  },
];

for (const { what, make, expect } of gaps) {
  test(`fails loudly on ${what}`, () => {
    const a = artifacts();
    try {
      make(a);
      const { code, out } = scan(a.dir);
      assert.equal(code, 1, out);
      assert.match(out, /FAILED: not enough to scan/);
      assert.match(out, expect);
    } finally {
      cleanup(a);
    }
  });
}

test('finds a secret that colour codes split in a log, once per place', () => {
  const a = artifacts();
  try {
    const token = secret('github-token');
    appendFileSync(
      join(a.dir, 'logs', 'backend.log'),
      `\x1b[36mtoken\x1b[39m=${token.slice(0, 10)}\x1b[1m${token.slice(
        10,
      )}\x1b[22m\n\x1b[2mplain\x1b[22m ${token}\n`,
    );
    const { code, out } = scan(a.dir);
    assert.equal(code, 1, out);
    assert.match(out, /logs\/backend\.log:3: planted github-token \(raw\)/);
    assert.equal(
      out.match(/logs\/backend\.log:4: planted github-token \(raw\)/g)?.length,
      1,
      out,
    );
  } finally {
    cleanup(a);
  }
});
