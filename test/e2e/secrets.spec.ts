import { expect, Page, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commits, demoToken, deploy, plan, runCommand } from './portal';
import { signInAs, snap } from './session';
// Shared with scripts/scan-leaks.mjs, which scans every artifact of this run for these values.
import {
  allPlantedValues,
  plantedSecrets,
  plantedSettingValue,
  plantedText,
} from '../../scripts/lib/plantedSecrets.mjs';

/**
 * No leaks: fake secrets, each in a shape the Redactor recognises, are planted through every
 * input a user has (evidence, promotion reason and explanation, approval and rejection comments,
 * cancel reason), in a manifest, and in the env, ConfigMap and Secret of simulated cluster
 * objects; then every page that shows those things is visited and captured. This spec checks the
 * pages and API answers it sees; scripts/scan-leaks.mjs then scans logs, page text, reports and
 * the database of the whole run.
 */

const ENTITY = 'component:default/billing-worker';
const APP = 'billing-worker';
const backend = 'http://localhost:7007';
const responsesDir = join(
  __dirname,
  '..',
  '..',
  'test-results',
  'api-responses',
);
mkdirSync(responsesDir, { recursive: true });
const responsesFile = join(responsesDir, 'secrets-spec.jsonl');

const byId = Object.fromEntries(plantedSecrets.map(s => [s.id, s]));
const planted = (id: string) => byId[id].inText(byId[id].value);
/** The Redactor knows DATABASE_URL's value only where billing-worker's manifest is in scope. */
const settingLine = `${plantedSettingValue.setting}=${plantedSettingValue.value}`;

/** Every answer the spec or its browser pages get from the backend is kept for the scanner. */
function keep(
  source: string,
  method: string,
  url: string,
  status: number,
  body: string,
) {
  appendFileSync(
    responsesFile,
    `${JSON.stringify({ source, method, url, status, body })}\n`,
  );
}

function expectNoPlanted(what: string, text: string) {
  for (const { id, value } of allPlantedValues) {
    expect(text.includes(value), `${what} contains the planted ${id}`).toBe(
      false,
    );
  }
}

async function api(user: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${backend}/api/ladder${path}`, {
    method,
    headers: {
      authorization: `Bearer ${await demoToken(user)}`,
      'content-type': 'application/json',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  keep(`api as ${user}`, method, path, res.status, text);
  expectNoPlanted(`${method} ${path}`, text);
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

async function apiOk(
  user: string,
  method: string,
  path: string,
  body?: unknown,
) {
  const res = await api(user, method, path, body);
  if (res.status >= 300)
    throw new Error(
      `${method} ${path}: HTTP ${res.status} ${res.json?.error?.message}`,
    );
  return res.json;
}

/** Waits until the engine has moved a promotion to `phase` (re-checking its gates meanwhile). */
async function waitForPhase(id: string, phase: string) {
  await expect
    .poll(
      async () => {
        const res = await api('alice', 'POST', `/promotions/${id}/recheck`);
        return (
          res.json?.phase ??
          (await apiOk('alice', 'GET', `/promotions/${id}`)).phase
        );
      },
      { timeout: 60_000, intervals: [500, 1000, 2000] },
    )
    .toBe(phase);
}

const clusters: Record<string, { url: string; token: string }> = {
  'shared-dev': {
    url: 'https://127.0.0.1:7101',
    token: 'demo-shared-dev-token',
  },
  'customer-hml': {
    url: 'https://127.0.0.1:7102',
    token: 'demo-customer-hml-token',
  },
};

/** Writes to a simulated cluster over its Kubernetes API, as kubectl or helm would. */
async function kube(
  cluster: string,
  method: string,
  path: string,
  body: unknown,
  contentType = 'application/json',
) {
  const { url, token } = clusters[cluster];
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    body: JSON.stringify(body),
  });
  if (!res.ok && res.status !== 409)
    throw new Error(
      `${method} ${path} on ${cluster}: HTTP ${res.status} ${await res.text()}`,
    );
}

/** Captures the ladder and notification answers a browser page receives. */
async function watch(page: Page, who: string) {
  // The dev server's error overlay (a compile error in a file being edited while the suite
  // runs) covers the page and swallows clicks; the running app is unaffected, so drop it.
  await page.addInitScript(() => {
    new MutationObserver(() =>
      document.getElementById('webpack-dev-server-client-overlay')?.remove(),
    ).observe(document, { childList: true, subtree: true });
  });
  page.on('response', async response => {
    const url = response.url();
    if (!/\/api\/(ladder|notifications)\//.test(url)) return;
    if ((response.headers()['content-type'] ?? '').includes('event-stream'))
      return;
    const body = await response.text().catch(() => '');
    keep(
      `browser as ${who}`,
      response.request().method(),
      url,
      response.status(),
      body,
    );
  });
}

async function pageText(page: Page) {
  return page.evaluate(() => document.body.innerText);
}

/** Snapshot of a page that shows planted input back: it must show it redacted, never in clear. */
async function snapRedacted(page: Page, name: string) {
  const text = await pageText(page);
  expectNoPlanted(`page ${name}`, text);
  await snap(page, name);
  return text;
}

test.describe.serial('no leaks: planted secrets never come back', () => {
  test.setTimeout(480_000);
  let ref = '';
  test.beforeAll(() => writeFileSync(responsesFile, ''));

  test('secrets planted through the portal, the API, a manifest and the cluster are shown redacted', async ({
    browser,
  }) => {
    const view = await apiOk(
      'alice',
      'GET',
      '/entities/component/default/billing-worker',
    );
    ref = view.rungs.find((r: any) => r.rung.id === 'dev').placement.ref;
    const short = ref.slice(0, 7);
    // billing-worker's previous release runs on customer HML, deployed before the ladder: the
    // revision the promoted commit can be rolled back to (kubernetes-reversible).
    await deploy('customer-hml', APP, commits(APP)[1]);

    const alice = await browser.newPage();
    await watch(alice, 'alice');
    await signInAs(alice, 'alice');
    await alice.goto('/catalog/default/component/billing-worker/ladder');

    // 1. Evidence from the portal: summary, URL and content carry every planted shape.
    await alice
      .getByRole('button', { name: 'Record evidence for Shared dev' })
      .click();
    const evidenceDialog = alice.getByRole('dialog', {
      name: 'Record evidence',
    });
    await evidenceDialog.getByLabel('Kind').click();
    await alice.getByRole('option', { name: 'logs', exact: true }).click();
    await evidenceDialog
      .getByLabel('Summary: what does it show?')
      .fill(`deploy log; ${planted('github-token')}`);
    await evidenceDialog
      .getByLabel('URL where the proof lives')
      .fill(
        `https://ci.khal.example/runs/42?access_token=${byId['slack-token'].value}`,
      );
    await evidenceDialog
      .getByLabel('Content (e.g. build output)')
      .fill(`${plantedText('deploy log')}\n${settingLine}\n`);
    // No screenshot here: the dialog shows what was typed, in clear, before it is stored.
    await evidenceDialog
      .getByRole('button', { name: 'Record evidence' })
      .click();
    await expect(evidenceDialog).toBeHidden();

    // 2. Evidence from the terminal (`khal evidence push`) for HML, with secrets in `data` too.
    await apiOk('alice', 'POST', '/evidence', {
      entityRef: ENTITY,
      rung: 'hml',
      ref,
      kind: 'env-contract',
      summary: `settings supplied on customer HML; ${planted(
        'password-field',
      )}`,
      content: `${settingLine}\n${planted('url-password')}\n`,
      data: {
        supplied: ['DATABASE_URL', 'LOG_LEVEL'],
        password: byId['password-field'].value,
        DATABASE_URL: plantedSettingValue.value,
        nested: { note: planted('bearer-token'), key: planted('private-key') },
      },
    });
    // The dry-run as `khal deploy --dry-run --target hml` records it (its real command's exit code
    // and the portal's plan digest), with secrets in its content and data.
    const hmlPlan = await plan('alice', APP, 'hml', ref);
    const dryRunOutput = await runCommand(APP, ref, hmlPlan.commands.dryRun);
    await apiOk('alice', 'POST', '/evidence', {
      entityRef: ENTITY,
      rung: 'hml',
      ref,
      kind: 'dry-run',
      summary: 'dry-run against customer HML: clean',
      content: `${dryRunOutput}\n${plantedText('kubectl --dry-run output')}`,
      data: {
        clean: true,
        exitCode: 0,
        command: hmlPlan.commands.dryRun,
        commit: ref,
        target: 'hml',
        planDigest: hmlPlan.planDigest,
        token: byId['jwt'].value,
      },
    });

    // 3. A promotion requested from the portal, its reason full of secrets.
    await alice.reload();
    await alice
      .getByRole('button', { name: 'Request a promotion' })
      .first()
      .click();
    const requestDialog = alice.getByRole('dialog', {
      name: 'Request a promotion',
    });
    await requestDialog.getByLabel('Target rung').click();
    await alice.getByRole('option', { name: /Customer HML/ }).click();
    await requestDialog
      .getByLabel('Reason (optional)')
      .fill(plantedText('to customer HML for acceptance'));
    // Customer HML asks for an explanation the approvers read first.
    await requestDialog
      .getByLabel(/Explanation for the customer/)
      .fill(plantedText('Acme Retail: settings supplied'));
    await requestDialog
      .getByRole('button', { name: 'Show deploy plan' })
      .click();
    await expect(requestDialog).toContainText('Deploy plan');
    await requestDialog
      .getByRole('button', { name: 'Request promotion' })
      .click();
    await expect(requestDialog).toBeHidden();
    const openPromotion = alice
      .locator('.MuiCard-root')
      .filter({ hasText: `Promotion of ${short} to Customer HML` });
    await expect(
      openPromotion.filter({ hasText: 'Awaiting approval' }),
    ).toHaveCount(1);
    await snapRedacted(alice, 'secrets-01-requested');

    // 4. The stakeholder rejects it from the inbox, the comment full of secrets.
    const sam = await browser.newPage();
    await watch(sam, 'sam');
    await signInAs(sam, 'sam');
    await sam.goto('/ladder/approvals');
    const item = sam.getByRole('article', {
      name: `Promotion of ${ENTITY} to Customer HML`,
    });
    await expect(item).toBeVisible();
    await snapRedacted(sam, 'secrets-02-inbox');
    await item.getByRole('button', { name: 'Reject' }).click();
    const rejectDialog = sam.getByRole('dialog');
    await rejectDialog
      .getByLabel('Why do you reject it? (required)')
      .fill(plantedText('not with these credentials'));
    await rejectDialog.getByRole('button', { name: 'Reject' }).click();
    await expect(rejectDialog).toBeHidden();
    await expect(item).toHaveCount(0);

    // 5. Requested again from the terminal, then withdrawn from the portal with a secret reason.
    const second = await apiOk('alice', 'POST', '/promotions', {
      entityRef: ENTITY,
      toRung: 'hml',
      ref,
      reason: `${plantedText('second try')}\n${settingLine}`,
      explanation: planted('aws-access-key'),
    });
    await waitForPhase(second.id, 'AwaitingApproval');
    await alice.reload();
    const awaiting = alice
      .locator('.MuiCard-root')
      .filter({ hasText: `Promotion of ${short} to Customer HML` })
      .filter({ hasText: 'Awaiting approval' });
    await awaiting.getByRole('button', { name: 'Cancel promotion' }).click();
    const cancelDialog = alice.getByRole('dialog');
    await cancelDialog
      .getByLabel('Reason (optional)')
      .fill(plantedText('withdrawn'));
    await cancelDialog
      .getByRole('button', { name: 'Cancel promotion' })
      .click();
    await expect(cancelDialog).toBeHidden();
    await expect(awaiting).toHaveCount(0);

    // 6. A third request, approved from the inbox with a comment full of secrets.
    const third = await apiOk('alice', 'POST', '/promotions', {
      entityRef: ENTITY,
      toRung: 'hml',
      ref,
      reason: planted('secret-key-value'),
      explanation: planted('slack-token'),
    });
    await waitForPhase(third.id, 'AwaitingApproval');
    await sam.reload();
    await item.getByRole('button', { name: 'Approve' }).click();
    const approveDialog = sam.getByRole('dialog');
    await approveDialog
      .getByLabel('Comment (optional)')
      .fill(plantedText('approved, but mind'));
    await approveDialog.getByRole('button', { name: 'Approve' }).click();
    await expect(approveDialog).toBeHidden();

    // 7. The deploy to the customer cluster, as `khal deploy --target hml` does it: the approved
    //    promotion is claimed, the app's deploy/kubernetes.yaml applied with kubectl; then secret
    //    values go into the Deployment's env, a ConfigMap and a Secret (what someone's chart or
    //    kubectl would add), and the deploy is reported with an output full of secrets. Also a
    //    patched env on shared dev.
    await waitForPhase(third.id, 'Approved');
    await apiOk('alice', 'POST', `/promotions/${third.id}/claim`, {
      toRung: 'hml',
      sha: ref,
    });
    const deployOutput = await runCommand(APP, ref, hmlPlan.commands.deploy);
    const ns = `khal-${APP}`;
    const labels = { 'backstage.io/kubernetes-id': APP, app: APP };
    await kube('customer-hml', 'POST', `/api/v1/namespaces/${ns}/configmaps`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${APP}-config`, namespace: ns, labels },
      data: { LOG_LEVEL: 'info', 'notes.txt': plantedText('config notes') },
    });
    await kube('customer-hml', 'POST', `/api/v1/namespaces/${ns}/secrets`, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `${APP}-secrets`, namespace: ns, labels },
      stringData: {
        SMTP_PASSWORD: byId['password-field'].value,
        API_TOKEN: byId['github-token'].value,
      },
    });
    const env = [
      { name: 'GITHUB_TOKEN', value: byId['github-token'].value },
      { name: 'DB_PASSWORD', value: byId['url-password'].value },
      {
        name: 'LOG_LEVEL',
        valueFrom: {
          configMapKeyRef: { name: `${APP}-config`, key: 'LOG_LEVEL' },
        },
      },
      {
        name: 'SMTP_PASSWORD',
        valueFrom: {
          secretKeyRef: { name: `${APP}-secrets`, key: 'SMTP_PASSWORD' },
        },
      },
    ];
    await kube(
      'customer-hml',
      'PATCH',
      `/apis/apps/v1/namespaces/${ns}/deployments/${APP}`,
      { spec: { template: { spec: { containers: [{ name: APP, env }] } } } },
      'application/strategic-merge-patch+json',
    );
    await apiOk('alice', 'POST', `/promotions/${third.id}/deploy-result`, {
      exitCode: 0,
      summary: `deploy of ${APP} ${short} to hml exited 0; ${planted(
        'bearer-token',
      )}`,
      output: `${deployOutput}\n${plantedText(
        'kubectl apply output',
      )}\n${settingLine}`,
    });
    await kube(
      'shared-dev',
      'PATCH',
      `/apis/apps/v1/namespaces/${ns}/deployments/${APP}`,
      {
        spec: {
          template: {
            spec: {
              containers: [
                {
                  name: APP,
                  env: [
                    {
                      name: 'AWS_ACCESS_KEY_ID',
                      value: byId['aws-access-key'].value,
                    },
                    { name: 'SLACK_TOKEN', value: byId['slack-token'].value },
                    { name: 'DATABASE_URL', value: plantedSettingValue.value },
                  ],
                },
              ],
            },
          },
        },
      },
      'application/strategic-merge-patch+json',
    );

    // The ladder reads the rollout (and the env's names) and places the ref on Customer HML.
    await expect(async () => {
      await alice.reload();
      await expect(alice.getByTestId('rung-hml').first()).toContainText(short, {
        timeout: 10_000,
      });
    }).toPass({ timeout: 90_000 });

    // 8. A manifest with secrets in it (a secret setting with a default, an unknown key holding a
    //    token), on a branch of the app's repository, requested onto Local.
    const scratch = process.env.KHAL_E2E_SCRATCH;
    if (!scratch)
      throw new Error(
        'KHAL_E2E_SCRATCH is not set: run the browser tests through scripts/e2e.mjs',
      );
    const work = mkdtempSync(join(tmpdir(), 'khal-planted-manifest-'));
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'commit.gpgsign=false', ...args], {
        cwd: work,
        encoding: 'utf8',
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 'Khal Test',
          GIT_AUTHOR_EMAIL: 'test@khal.example',
          GIT_COMMITTER_NAME: 'Khal Test',
          GIT_COMMITTER_EMAIL: 'test@khal.example',
        },
      }).trim();
    git('clone', '-q', join(scratch, 'repos', `${APP}.git`), '.');
    const manifest = JSON.parse(
      readFileSync(join(work, 'khal-app.json'), 'utf8'),
    );
    manifest.env.push({
      name: 'API_TOKEN',
      description: `CI token, e.g. ${planted('github-token')}`,
      required: true,
      secret: true,
      default: byId['github-token'].value,
    });
    // A token-shaped default of a non-secret setting outside its enum: the manifest-valid gate's
    // how-to-fix quotes defaults, so gate texts must come back redacted.
    manifest.env.push({
      name: 'PLANTED_MODE',
      description: 'a setting whose default is not one of its values',
      required: false,
      secret: false,
      enum: ['a', 'b'],
      default: byId['aws-access-key'].value,
    });
    manifest.credentials = {
      password: byId['password-field'].value,
      key: planted('aws-access-key'),
    };
    writeFileSync(
      join(work, 'khal-app.json'),
      `${JSON.stringify(manifest, null, 2)}\n`,
    );
    git('checkout', '-q', '-b', 'planted-secrets');
    // The commit subject quotes a credential too: the change view lists commit subjects.
    git(
      'commit',
      '-q',
      '-am',
      `manifest with planted secrets, ${planted('url-password')}`,
    );
    const manifestRef = git('rev-parse', 'HEAD');
    git('push', '-q', 'origin', 'planted-secrets');
    rmSync(work, { recursive: true, force: true });
    await api(
      'alice',
      'GET',
      `/plan?entityRef=${encodeURIComponent(
        ENTITY,
      )}&target=local&ref=${manifestRef}`,
    );
    const local = await api('alice', 'POST', '/promotions', {
      entityRef: ENTITY,
      toRung: 'local',
      ref: manifestRef,
      reason: planted('jwt'),
    });
    await alice.reload();
    await expect(alice.getByTestId('rung-hml').first()).toContainText('Proven');
    await snapRedacted(alice, 'secrets-03-entity-ladder');
    if (
      local.status === 201 &&
      ![
        'Failed',
        'Cancelled',
        'Rejected',
        'Errored',
        'Superseded',
        'Promoted',
      ].includes(local.json.phase)
    ) {
      await apiOk('alice', 'POST', `/promotions/${local.json.id}/cancel`, {
        reason: planted('private-key'),
      });
    }

    // 9. Every place that shows what was planted, through the API and in the portal.
    for (const path of [
      `/promotions?entityRef=${encodeURIComponent(ENTITY)}`,
      `/promotions/${second.id}`,
      `/promotions/${third.id}`,
      `/promotions/${third.id}/changes`,
      `/evidence?entityRef=${encodeURIComponent(ENTITY)}`,
      `/audit?entityRef=${encodeURIComponent(ENTITY)}`,
      '/overview',
      '/entities/component/default/billing-worker',
    ]) {
      await apiOk('alice', 'GET', path);
    }
    await alice.reload();
    await expect(
      alice.getByRole('list', { name: 'Audit trail' }),
    ).toBeVisible();
    // Nothing planted is open any more, so this page need not show a redaction marker; it must
    // show nothing planted in clear (pages 01-03 show the markers).
    await snapRedacted(alice, 'secrets-04-entity-ladder-audit');
    await alice
      .getByRole('list', { name: 'Audit trail' })
      .scrollIntoViewIfNeeded();
    await snapRedacted(alice, 'secrets-05-audit-trail');

    await alice.goto('/ladder');
    await expect(
      alice.getByRole('row', { name: /Billing worker/ }),
    ).toContainText(short);
    await snapRedacted(alice, 'secrets-06-overview');

    await sam.goto('/ladder/approvals');
    await expect(sam.getByRole('heading').first()).toBeVisible();
    await snapRedacted(sam, 'secrets-07-approvals-inbox');

    for (const [who, page] of [
      ['alice', alice],
      ['sam', sam],
    ] as const) {
      await page.goto('/notifications');
      await expect(
        page.getByText(/billing-worker|Billing worker/).first(),
      ).toBeVisible();
      await snapRedacted(page, `secrets-08-notifications-${who}`);
    }

    await alice.goto('/catalog/default/component/billing-worker/kubernetes');
    await expect(
      alice.getByText('Customer HML (k3s, simulated)'),
    ).toBeVisible();
    await snapRedacted(alice, 'secrets-09-kubernetes-tab');

    // The browser's own copies of the answers: none carries a planted value either.
    expectNoPlanted(
      'answers seen by the browser',
      readFileSync(responsesFile, 'utf8'),
    );
  });
});
