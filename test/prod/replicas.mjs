// The production shape, tested: two replicas of the production backend bundle (built by
// scripts/lib/productionBuild.mjs, started with app-config.yaml + app-config.production.yaml +
// this folder's test-only overlay) on one PostgreSQL, and a promotion walked across both:
// request on A, approve on B, claim and deploy result on A, placement read on B. Also: the
// approver's "Approval needed" email reaches an SMTP server, the correlation ids of A's requests
// are on the audit rows B reads, and only the digest task's one replica sends the digest.
//
// Usage: node test/prod/replicas.mjs [--no-build]   (npm test -- prod runs it with the build)
// Ports 7111/7112 (backends) and 7125 (SMTP sink); databases named khal_prodtest_<plugin>.
import { execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, waitForUrl } from '../../scripts/lib/processes.mjs';
import { buildProduction, productionDir } from '../../scripts/lib/productionBuild.mjs';
import { smtpSink } from './smtpSink.mjs';

const require = createRequire(import.meta.url);
const { SignJWT, importPKCS8 } = require('jose');
const yaml = require('js-yaml');
const pg = require('pg');

const PORTS = { a: 7111, b: 7112, smtp: 7125 };
const PREFIX = 'khal_prodtest_';
const PG_URL = process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ?? 'postgresql://postgres@127.0.0.1:5432';
const ENTITY = 'component:default/prodtest-app';
const KEY_ID = 'prodtest-key';
// Test-only credentials, made for this run and never in app-config.production.yaml.
const STATIC_TOKEN = `prodtest-${Date.now().toString(36)}-static-token-for-reads`;

const started = Date.now();
const log = line => console.log(`[prod] ${line}`);
function fail(message) {
  throw new Error(message);
}

if (!process.argv.includes('--no-build')) buildProduction({ withApp: false });

// --- fixtures: an app repository, the catalog, a signing key, an empty set of databases --------
const work = mkdtempSync(join(tmpdir(), 'khal-prodtest-'));
// The app's source: a working copy, pushed into the bare repository the ladder reads
// (ladder.localRepositoriesRoot/prodtest-app.git, named by khal.ai/source-repo).
const repoDir = join(work, 'src', 'prodtest-app');
mkdirSync(repoDir, { recursive: true });
const git = (...args) =>
  execFileSync('git', args, {
    cwd: repoDir,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.com' },
  }).trim();
git('init', '-q', '-b', 'main');
writeFileSync(
  join(repoDir, 'khal-app.json'),
  JSON.stringify({
    apiVersion: 'khal.ai/v1',
    name: 'prodtest-app',
    title: 'Prod test app',
    owner: 'group:default/fdes',
    runtime: { kind: 'node', start: 'node index.js', port: 8080 },
    env: [],
  }),
);
git('add', '.');
git('commit', '-q', '-m', 'first');
const sha = git('rev-parse', 'HEAD');
mkdirSync(join(work, 'repos'));
execFileSync('git', ['clone', '-q', '--bare', repoDir, join(work, 'repos', 'prodtest-app.git')]);

const user = (name, group) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name },
  spec: { profile: { email: `${name}@prodtest.example` }, memberOf: [group] },
});
const group = name => ({ apiVersion: 'backstage.io/v1alpha1', kind: 'Group', metadata: { name }, spec: { type: 'team', children: [] } });
writeFileSync(
  join(work, 'org.yaml'),
  [group('fdes'), group('approvers'), group('operators'), user('alice', 'fdes'), user('sam', 'approvers')].map(e => yaml.dump(e)).join('---\n'),
);
writeFileSync(
  join(work, 'catalog.yaml'),
  yaml.dump({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'prodtest-app', annotations: { 'khal.ai/ladder': 'khal', 'khal.ai/source-repo': 'file:prodtest-app.git' } },
    spec: { type: 'service', owner: 'group:default/fdes', lifecycle: 'production' },
  }),
);

const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
writeFileSync(join(work, 'public.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
writeFileSync(join(work, 'private.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));

async function dropDatabases() {
  const client = new pg.Client({ connectionString: `${PG_URL}/postgres` });
  await client.connect();
  const { rows } = await client.query('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${PREFIX}%`]);
  for (const { datname } of rows) await client.query(`DROP DATABASE "${datname}" WITH (FORCE)`);
  await client.end();
}
await dropDatabases();

// --- the test-only overlay (the rest is app-config.production.yaml, unchanged) ----------------
const overlay = yaml.load(
  execFileSync('cat', [join(root, 'test', 'prod', 'app-config.replicas.yaml')], { encoding: 'utf8' }),
);
const pgUrl = new URL(PG_URL);
function replicaConfig(port) {
  const file = join(work, `app-config.${port}.yaml`);
  writeFileSync(
    file,
    yaml.dump({
      ...overlay,
      backend: {
        ...overlay.backend,
        baseUrl: `http://127.0.0.1:${port}`,
        listen: { port, host: '127.0.0.1' },
        database: { ...overlay.backend.database, connection: { host: pgUrl.hostname, port: Number(pgUrl.port || 5432), user: pgUrl.username || 'postgres', password: decodeURIComponent(pgUrl.password) } },
      },
    }),
  );
  return file;
}

const env = {
  ...process.env,
  NODE_ENV: 'production',
  APP_BASE_URL: 'https://ladder.prodtest.example',
  BACKEND_BASE_URL: 'https://ladder.prodtest.example',
  POSTGRES_HOST: 'unused',
  POSTGRES_PORT: '5432',
  POSTGRES_USER: 'unused',
  POSTGRES_PASSWORD: 'unused',
  AUTH_SESSION_SECRET: 'prodtest-session-secret',
  AUTH_GITHUB_CLIENT_ID: 'prodtest-client',
  AUTH_GITHUB_CLIENT_SECRET: 'prodtest-client-secret',
  KHAL_CATALOG_URL: 'https://unused.example/catalog-info.yaml',
  KHAL_ORG_URL: 'https://unused.example/org.yaml',
  SMTP_HOST: '127.0.0.1',
  SMTP_PORT: String(PORTS.smtp),
  SMTP_USERNAME: 'ladder',
  SMTP_PASSWORD: 'prodtest-smtp-password',
  MAIL_DOMAIN: 'prodtest.example',
  SLACK_BOT_TOKEN: 'unused',
  PRODTEST_WORK: work,
  PRODTEST_STATIC_TOKEN: STATIC_TOKEN,
  PRODTEST_KEY_ID: KEY_ID,
  ...Object.fromEntries(
    ['SHARED_DEV', 'CUSTOMER_HML', 'PROD_OKE'].flatMap(c => [
      [`K8S_${c}_URL`, 'https://127.0.0.1:9'],
      [`K8S_${c}_TOKEN`, 'unused'],
      // Never dialled: the test's ladder has no Kubernetes rung.
      [`K8S_${c}_CA`, Buffer.from('-----BEGIN CERTIFICATE-----\nunused\n-----END CERTIFICATE-----\n').toString('base64')],
    ]),
  ),
};

const children = [];
const outputs = {};
function startReplica(name, port) {
  const output = [];
  outputs[name] = output;
  const child = spawn(
    process.execPath,
    ['packages/backend', '--config', join(root, 'app-config.yaml'), '--config', join(root, 'app-config.production.yaml'), '--config', replicaConfig(port)],
    { cwd: productionDir, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  for (const s of [child.stdout, child.stderr]) s.on('data', c => output.push(String(c)));
  child.on('exit', code => {
    if (!child.stopping) console.error(`[prod] replica ${name} exited (${code})`);
  });
  children.push(child);
  return { child, output, url: `http://127.0.0.1:${port}` };
}

/** SIGTERM, then SIGKILL if it has not exited within 15 s (a backend drains its requests first). */
function stopReplica(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  child.stopping = true;
  return new Promise(resolve => {
    const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
// Interrupted (Ctrl-C, a CI timeout): the replicas go too.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const child of children) child.kill('SIGKILL');
    process.exit(130);
  });
}

const sink = await smtpSink(PORTS.smtp);
let ok = false;
try {
  const a = startReplica('A', PORTS.a);
  await waitForUrl(`${a.url}/.backstage/health/v1/readiness`, { timeoutMs: 90_000 });
  log(`replica A serves the production bundle at ${a.url}`);
  const b = startReplica('B', PORTS.b);
  await waitForUrl(`${b.url}/.backstage/health/v1/readiness`, { timeoutMs: 90_000 });
  log(`replica B serves at ${b.url}, on the same PostgreSQL (${PREFIX}*)`);

  const signingKey = await importPKCS8(privateKey.export({ type: 'pkcs8', format: 'pem' }), 'ES256');
  // A user token as the auth backend issues one: `ent` (ownership), and `uip`, the signature of the
  // limited token ({typ, alg, kid}.{sub, iat, exp}, in that order) that backends derive from it.
  const tokenFor = async (name, groupName) => {
    const sub = `user:default/${name}`;
    const iat = Math.floor(Date.now() / 1000);
    const exp = iat + 600;
    const limited = await new SignJWT({ sub, iat, exp })
      .setProtectedHeader({ typ: 'vnd.backstage.limited-user', alg: 'ES256', kid: KEY_ID })
      .sign(signingKey);
    return new SignJWT({ sub, ent: [sub, `group:default/${groupName}`], aud: 'backstage', iat, exp, uip: limited.split('.')[2] })
      .setProtectedHeader({ alg: 'ES256', kid: KEY_ID, typ: 'vnd.backstage.user' })
      .sign(signingKey);
  };
  const alice = await tokenFor('alice', 'fdes');
  const sam = await tokenFor('sam', 'approvers');
  // What the auth backend records when it issues a token (its user_info table), read back by
  // /api/auth/v1/userinfo when a plugin asks who the user is.
  const authDb = new pg.Client({ connectionString: `${PG_URL}/${PREFIX}auth` });
  await authDb.connect();
  for (const [name, groupName] of [['alice', 'fdes'], ['sam', 'approvers']]) {
    const sub = `user:default/${name}`;
    await authDb.query(
      `INSERT INTO user_info (user_entity_ref, user_info, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (user_entity_ref) DO UPDATE SET user_info = EXCLUDED.user_info`,
      [sub, JSON.stringify({ claims: { sub, ent: [sub, `group:default/${groupName}`] } })],
    );
  }
  await authDb.end();

  const call = async (replica, token, method, path, body, correlationId) => {
    const res = await fetch(`${replica.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(correlationId ? { 'x-correlation-id': correlationId } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: res.status, body: json, correlationId: res.headers.get('x-correlation-id') };
  };
  const expectStatus = (res, status, what) => {
    if (res.status !== status) fail(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body).slice(0, 600)}`);
    return res;
  };
  const until = async (what, probe, timeoutMs = 120_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value) return value;
      if (Date.now() > deadline) fail(`timed out waiting for ${what}`);
      await new Promise(r => setTimeout(r, 1000));
    }
  };

  await until('the catalog to hold the app on both replicas', async () => {
    const [ra, rb] = await Promise.all(
      [a, b].map(r => call(r, alice, 'GET', '/api/catalog/entities/by-name/component/default/prodtest-app')),
    );
    return ra.status === 200 && rb.status === 200 && ra.body.metadata.annotations['khal.ai/manifest-digest'];
  });
  log('the catalog (shared) holds the app with its manifest digest');

  expectStatus(await call(a, alice, 'POST', '/api/ladder/enrollments', { entityRef: ENTITY, ref: sha }, 'prodtest-enroll-1'), 201, 'enrol on A');
  const created = expectStatus(
    await call(a, alice, 'POST', '/api/ladder/promotions', { entityRef: ENTITY, toRung: 'dev', ref: sha, reason: 'prod test' }, 'prodtest-request-1'),
    201,
    'request on A',
  );
  const id = created.body.id;
  log(`requested on A: promotion ${id} (${created.body.phase})`);
  await until('AwaitingApproval, seen from B', async () => (await call(b, sam, 'GET', `/api/ladder/promotions/${id}`)).body.phase === 'AwaitingApproval');

  const approved = expectStatus(
    await call(b, sam, 'POST', `/api/ladder/promotions/${id}/approvals`, { decision: 'approve', comment: 'looks good' }, 'prodtest-approve-1'),
    201,
    'approve on B',
  );
  log(`approved on B by sam (${approved.body.phase ?? approved.body.promotion?.phase ?? 'recorded'})`);
  await until('Approved, seen from A', async () => (await call(a, alice, 'GET', `/api/ladder/promotions/${id}`)).body.phase === 'Approved');

  expectStatus(await call(a, alice, 'POST', `/api/ladder/promotions/${id}/claim`, { toRung: 'dev', sha }, 'prodtest-claim-1'), 201, 'claim on A');
  expectStatus(
    await call(a, alice, 'POST', `/api/ladder/promotions/${id}/deploy-result`, { exitCode: 0, summary: 'deployed by the prod test' }, 'prodtest-deploy-1'),
    200,
    'deploy result on A',
  );
  log('claimed and reported the deploy on A');

  // B reads the placement with the static externalAccess token (a service principal allowed `read`).
  const placement = await until('the placement on dev, read on B', async () => {
    const view = await call(b, STATIC_TOKEN, 'GET', '/api/ladder/entities/component/default/prodtest-app');
    if (view.status !== 200) fail(`read on B with the static token: ${view.status} ${JSON.stringify(view.body).slice(0, 400)}`);
    const dev = view.body.rungs?.find(r => r.rung.id === 'dev');
    return dev?.placement?.ref === sha ? dev.placement : undefined;
  });
  log(`B reads dev = ${placement.ref.slice(0, 12)} (promotion ${placement.promotionId ?? id})`);

  const audit = expectStatus(await call(b, alice, 'GET', `/api/ladder/audit?entityRef=${ENTITY}`), 200, 'audit on B');
  const ids = new Set(audit.body.items.map(i => i.correlationId));
  for (const expected of ['prodtest-request-1', 'prodtest-approve-1', 'prodtest-claim-1', 'prodtest-deploy-1']) {
    if (!ids.has(expected)) fail(`the audit rows read on B carry no correlation id ${expected} (have ${[...ids].join(', ')})`);
  }
  log('audit rows on B carry the correlation ids of the requests made on A and B');

  const mail = await until('the approval email to sam', async () => sink.messages.find(m => m.to.includes('sam@prodtest.example')), 60_000);
  if (!/Approval needed/.test(mail.data)) fail(`the email to sam is not the approval request:\n${mail.data.slice(0, 800)}`);
  log('sam got the "Approval needed" email through SMTP');
  ok = true;
} finally {
  if (!ok) {
    for (const [name, output] of Object.entries(outputs)) {
      const lines = output.join('').split('\n').filter(l => !l.includes('/.backstage/health/'));
      console.error(`[prod] --- replica ${name}, last output ---\n${lines.slice(-60).join('\n')}`);
    }
  }
  await Promise.all(children.map(stopReplica));
  await sink.close();
  await dropDatabases().catch(() => undefined);
}
log(`${ok ? 'passed' : 'FAILED'} in ${Math.round((Date.now() - started) / 1000)}s`);
process.exit(ok ? 0 : 1);
