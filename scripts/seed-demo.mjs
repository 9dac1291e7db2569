// Seeds the demo apps' ladder state through the ladder API, as the demo users and `khal` would:
// enrolments, evidence, real dry-runs, promotions, approvals, claims and deploys (the rung's
// rendered commands, kubectl against the simulated clusters) — the engine decides every transition.
// Resumable: every step first reads the app's ladder and is skipped when its result is there (a
// placement, an open promotion to continue), so a first start interrupted while seeding finishes
// the demo on the next start instead of leaving it half-seeded. Done when payments-gateway, the
// last app seeded, is on prod: then nothing is done.
import { ensureDemoRepos, reposDir } from './demo-repos.mjs';
import { demoKubeconfig } from './lib/processes.mjs';
import { runRungCommand } from './lib/rungCommands.mjs';

/** Gets a Backstage token for a demo user from the demo sign-in provider. */
export async function demoToken(baseUrl, user) {
  const res = await fetch(`${baseUrl}/api/auth/demo/refresh`, {
    headers: { 'x-khal-demo-user': user, 'x-requested-with': 'XMLHttpRequest' },
  });
  if (!res.ok)
    throw new Error(
      `sign-in as ${user} failed: HTTP ${res.status} ${await res.text()}`,
    );
  return (await res.json()).backstageIdentity.token;
}

const sleep = ms => new Promise(r => setTimeout(r, ms));

/** The ladder API as a demo user, through the demo sign-in provider. */
function demoApi(baseUrl) {
  const tokens = {};
  return async (user, method, path, body) => {
    // On a first start the catalog may not have ingested the demo users yet: wait for them.
    for (let i = 0; !tokens[user]; i++) {
      tokens[user] = await demoToken(baseUrl, user).catch(e => {
        if (i >= 90) throw e;
        return sleep(2000).then(() => undefined);
      });
    }
    const res = await fetch(`${baseUrl}/api/ladder${path}`, {
      method,
      headers: {
        authorization: `Bearer ${tokens[user]}`,
        'content-type': 'application/json',
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    const json = text ? JSON.parse(text) : undefined;
    if (!res.ok)
      throw new Error(
        `${method} ${path} as ${user}: HTTP ${res.status} ${
          json?.error?.message ?? text
        }`,
      );
    return json;
  };
}

/**
 * Seeds the demo, or finishes a seed that was interrupted. `api(user, method, path, body)` calls
 * the ladder API as a demo user (default: over HTTP at baseUrl with demo sign-in tokens); `run`
 * runs a rung's rendered command for an app at a commit; `shas` are each demo app's commits.
 */
export async function seedDemo({
  baseUrl,
  log = () => {},
  api = demoApi(baseUrl),
  shas = ensureDemoRepos(),
  run = (app, sha, command) =>
    runRungCommand({
      reposDir,
      kubeconfig: demoKubeconfig,
      app,
      sha,
      command,
    }),
}) {
  // Promotions are of one commit: the seed names the full SHA, as `khal deploy` does after a claim.
  const ref = (app, i) => shas[app][i];
  const call = api;
  const entity = app => `component:default/${app}`;

  const view = app =>
    call('alice', 'GET', `/entities/component/default/${app}`);
  const placedRef = (v, rung) =>
    v.rungs.find(r => r.rung.id === rung)?.placement?.ref;
  const openTo = (v, rung, r) =>
    v.openPromotions.find(p => p.toRung === rung && p.ref === r);

  const planFor = (app, rung, r) =>
    call(
      'alice',
      'GET',
      `/plan?entityRef=${encodeURIComponent(
        entity(app),
      )}&target=${rung}&ref=${r}`,
    );
  // Undo, one example of each (issue 19): a rollback drill rehearsed on payments-gateway's HML
  // (the rung below production, where a rollback-drill gate looks), then its HML cluster put back
  // on the previous commit by hand, outside the ladder: a drifted rung to adopt or roll back. The
  // drill is recorded last and marks the step done, so a resumed seed repeats neither.
  const undoExamples = async () => {
    const app = 'payments-gateway';
    const drills = await call(
      'alice',
      'GET',
      `/evidence?entityRef=${encodeURIComponent(entity(app))}&rung=hml&kind=rollback-drill`,
    );
    if (drills.items.length > 0) return;
    const previous = ref(app, 1);
    const hml = (await view(app)).rungs.find(r => r.rung.id === 'hml');
    if (hml?.cluster?.runningRef !== previous) {
      const result = await run(app, previous, (await planFor(app, 'hml', previous)).commands.deploy);
      if (result.exitCode !== 0) throw new Error(`could not put ${app}'s HML cluster on ${previous} (exit ${result.exitCode})`);
    }
    const rollback = hml?.rung.commands.rollback ?? 'kubectl rollout undo';
    await call('olga', 'POST', '/evidence', {
      entityRef: entity(app),
      rung: 'hml',
      ref: placedRef(await view(app), 'hml'),
      kind: 'rollback-drill',
      summary: `rollback rehearsed on hml: ${rollback} (demo seed)`,
      content: `$ ${rollback}\ndeployment.apps/${app} rolled back\n(demo seed: a rehearsal of the way back on HML, which a rollback-drill gate on the rung above asks for)`,
      data: { command: rollback, exitCode: 0 },
    });
  };

  // Already seeded? payments-gateway on prod is the seed's last step. (The catalog may still be
  // ingesting on a first start: wait for it.)
  for (let i = 0; ; i++) {
    try {
      if (placedRef(await view('payments-gateway'), 'prod')) {
        await undoExamples();
        return 'demo state already present';
      }
      break;
    } catch (e) {
      if (i >= 60) throw e;
      await sleep(2000);
    }
  }
  let resumed = false;
  const enroll = async (app, r) => {
    if ((await view(app)).rungs.some(rung => rung.placement)) {
      resumed = true;
      return;
    }
    await call('alice', 'POST', '/enrollments', {
      entityRef: entity(app),
      ref: r,
    });
  };

  const evidence = (app, rung, r, kind, data) =>
    call('alice', 'POST', '/evidence', {
      entityRef: entity(app),
      rung,
      ref: r,
      kind,
      summary: `${kind} for ${r} on ${rung} (demo seed)`,
      content: `demo ${kind} of ${app} at ${r}: ok`,
      ...(data ? { data } : {}),
    });
  const proveLocal = async (app, r) => {
    // Proven at local, or already promoted from it: the evidence is there.
    const v = await view(app);
    if (
      v.rungs.find(x => x.rung.id === 'local')?.status === 'proven' ||
      v.rungs.some(x => x.rung.id !== 'local' && x.placement?.ref === r) ||
      v.openPromotions.some(p => p.ref === r)
    )
      return;
    for (const kind of ['build-output', 'typecheck', 'status'])
      await evidence(app, 'local', r, kind);
    await evidence(app, 'local', r, 'env-contract', {
      supplied: ['DATABASE_URL', 'PAYMENT_PROVIDER_KEY'],
    });
  };
  // The Kubernetes rungs' settings are what their Deployments wire (the demo clusters hold the
  // Secrets and ConfigMaps each app's deploy/kubernetes.yaml refers to): an attestation would not
  // count there. The dry-run is what `khal deploy --dry-run` does: the rung's rendered dry-run
  // command runs in a checkout of the commit (kubectl against the simulated cluster) and its exit
  // code and output are recorded with the plan digest the portal computed; the portal judges it.
  const prepare = async (app, rung, r) => {
    // Promoted there already, or its promotion is open: the dry-run was recorded before it.
    const v = await view(app);
    if (placedRef(v, rung) === r || openTo(v, rung, r)) return;
    const plan = await planFor(app, rung, r);
    const command = plan.commands.dryRun;
    const result = await run(app, r, command);
    await call('alice', 'POST', '/evidence', {
      entityRef: entity(app),
      rung,
      ref: r,
      kind: 'dry-run',
      summary: `dry-run of ${app} ${r.slice(0, 7)} to ${rung}: exited ${
        result.exitCode
      } (demo seed)`,
      content: `$ ${command}\n${result.output || '(no output)'}`,
      data: {
        clean: result.exitCode === 0,
        exitCode: result.exitCode,
        command,
        commit: r,
        target: rung,
        planDigest: plan.planDigest,
      },
    });
    if (result.exitCode !== 0)
      throw new Error(
        `the dry-run of ${app} to ${rung} exited ${result.exitCode}: ${result.output}`,
      );
  };
  // The deploy, as `khal deploy --target <rung>` runs it: on approval and operators rungs it first
  // claims the approved promotion of exactly this commit, then runs the rung's rendered deploy
  // command (kubectl apply of the app's deploy/kubernetes.yaml and rollout status) and reports the
  // outcome: against the claim, or as deploy-output evidence. The cluster then runs the commit and
  // the rung's proof checks observe it.
  const deploy = async (
    app,
    rung,
    r,
    { deployer, promotion, claim, claimed },
  ) => {
    if (claim && !claimed)
      await call(deployer, 'POST', `/promotions/${promotion.id}/claim`, {
        toRung: rung,
        sha: r,
      });
    const plan = await planFor(app, rung, r);
    const command = plan.commands.deploy;
    const result = await run(app, r, command);
    const summary =
      result.exitCode === 0
        ? `deploy of ${app} ${r.slice(0, 7)} to ${rung} exited 0 (demo seed)`
        : `FAILED deploy of ${app} ${r.slice(0, 7)} to ${rung}: exited ${
            result.exitCode
          } (not proof)`;
    if (claim) {
      try {
        await call(
          deployer,
          'POST',
          `/promotions/${promotion.id}/deploy-result`,
          {
            exitCode: result.exitCode,
            summary,
            output: result.output || '(no output)',
          },
        );
      } catch (error) {
        // The re-check task may observe the rollout in the cluster and place the ref before the
        // deploy's output is reported (a 409 then): that is the ladder working, not a failed seed.
        const now = await call(deployer, 'GET', `/promotions/${promotion.id}`);
        if (!(result.exitCode === 0 && now.phase === 'Promoted')) throw error;
      }
    } else
      await call(deployer, 'POST', '/evidence', {
        entityRef: entity(app),
        rung,
        ref: r,
        kind: 'deploy-output',
        summary,
        content: result.output || '(no output)',
        data: {
          exitCode: result.exitCode,
          target: rung,
          command,
          planDigest: plan.planDigest,
        },
      });
    if (result.exitCode !== 0) throw new Error(`${summary}: ${result.output}`);
  };
  const ladders = (await call('alice', 'GET', '/ladders')).items;
  // Deploys to approval and operators rungs claim the approved promotion first.
  const claimedRungs = new Set(
    ladders.flatMap(l =>
      l.rungs
        .filter(x => ['approval', 'operators'].includes(x.mutationPolicy))
        .map(x => x.id),
    ),
  );
  // Customer rungs (metadata.requiresExplanation) refuse a promotion without an explanation.
  const customerRungs = new Map(
    ladders.flatMap(l =>
      l.rungs
        .filter(x => x.metadata?.requiresExplanation)
        .map(x => [x.id, x.metadata.customer ?? 'the customer']),
    ),
  );
  const explanationFor = (app, rung, r) =>
    customerRungs.has(rung)
      ? {
          explanation: `${app} ${r.slice(0, 7)} for ${customerRungs.get(
            rung,
          )}: the build proven on shared dev, unchanged; the settings it needs on ${rung} are listed below as the cluster reports them. Demo seed.`,
        }
      : {};
  const promote = async (
    app,
    rung,
    r,
    { requester = 'alice', approvers = [], stopAt, deployer = requester } = {},
  ) => {
    const v = await view(app);
    if (placedRef(v, rung) === r) return undefined;
    // An interrupted seed left this promotion open: continue it where it stands.
    let p =
      openTo(v, rung, r) ??
      (await call(requester, 'POST', '/promotions', {
        entityRef: entity(app),
        toRung: rung,
        ref: r,
        reason: `demo seed: ${app} ${r} to ${rung}`,
        ...explanationFor(app, rung, r),
      }));
    let approved = false;
    let deployed = false;
    for (let i = 0; i < 60; i++) {
      if (p.phase === stopAt) return p;
      if (p.phase === 'Promoted') return p;
      if (
        ['Rejected', 'Cancelled', 'Superseded', 'Failed', 'Errored'].includes(
          p.phase,
        )
      )
        break;
      if (p.phase === 'AwaitingApproval' && !approved) {
        const given = new Set(p.approvals.map(a => a.approver));
        for (const user of approvers) {
          if (given.has(`user:default/${user}`)) continue;
          p = await call(user, 'POST', `/promotions/${p.id}/approvals`, {
            decision: 'approve',
            comment: 'demo seed',
          });
        }
        approved = true;
        continue;
      }
      const claim = claimedRungs.has(rung);
      if (
        !deployed &&
        ((claim && p.phase === 'Approved') ||
          (!claim && p.phase === 'Verifying'))
      ) {
        await deploy(app, rung, r, { deployer, promotion: p, claim });
        deployed = true;
      } else if (!deployed && claim && p.phase === 'Deploying') {
        // Claimed before an interruption, its outcome never reported: deploy (kubectl apply is
        // idempotent) and report against the claim.
        await deploy(app, rung, r, {
          deployer,
          promotion: p,
          claim,
          claimed: true,
        });
        deployed = true;
      }
      await sleep(1000);
      p = await call(requester, 'POST', `/promotions/${p.id}/recheck`).catch(
        () => call(requester, 'GET', `/promotions/${p.id}`),
      );
    }
    const gates = (p.gates ?? [])
      .filter(g => g.status !== 'passed')
      .map(g => `${g.gateId}: ${g.summary}`);
    throw new Error(
      `${app} → ${rung} stopped in ${p.phase}: ${p.phaseMessage} ${gates.join(
        '; ',
      )}`,
    );
  };

  // orders-api: fresh at local.
  await enroll('orders-api', ref('orders-api', 2));
  // edge-proxy: on the parity ladder, fresh at compose.
  await enroll('edge-proxy', ref('edge-proxy', 2));

  // globex-storefront: the second customer's app, proven at local (gina sees it, sam does not).
  const gs = ref('globex-storefront', 2);
  await enroll('globex-storefront', gs);
  await proveLocal('globex-storefront', gs);

  // billing-worker: proven at shared dev.
  const bw = ref('billing-worker', 2);
  await enroll('billing-worker', bw);
  await proveLocal('billing-worker', bw);
  await prepare('billing-worker', 'dev', bw);
  await promote('billing-worker', 'dev', bw);

  // customer-portal: proven at dev, its first HML promotion waits for the stakeholder.
  const cp = ref('customer-portal', 2);
  await enroll('customer-portal', cp);
  await proveLocal('customer-portal', cp);
  await prepare('customer-portal', 'dev', cp);
  await promote('customer-portal', 'dev', cp);
  await prepare('customer-portal', 'hml', cp);
  await promote('customer-portal', 'hml', cp, { stopAt: 'AwaitingApproval' });

  // Release policy, one example of each (issue 19): an operator stopped the line for edge-proxy,
  // and orders-api's first commit (never promoted) is marked bad by its HML approver. The frozen
  // rung is in app-config.yaml (parity's platform_control). Before payments-gateway's prod step,
  // which marks the seed done, and each only once, so a resumed seed neither skips nor repeats them.
  // Time rules (issue 19), before edge-proxy's pause: its commit at compose soaks before it may go
  // to kind (parity's kind has minSoak 6 h: a soak in progress), and a request straight to
  // platform_control (frozen, and closed outside its release window) expires 2 minutes later (its own expiry).
  const epRef = ref('edge-proxy', 2);
  const epPromotions = await call('alice', 'GET', `/promotions?entityRef=${encodeURIComponent(entity('edge-proxy'))}&limit=500`);
  for (const toRung of ['kind', 'platform_control']) {
    if (epPromotions.items.some(p => p.toRung === toRung)) continue;
    // platform_control is an operators rung: olga requests there.
    await call(toRung === 'platform_control' ? 'olga' : 'alice', 'POST', '/promotions', {
      entityRef: entity('edge-proxy'),
      toRung,
      ref: epRef,
      reason: `demo seed: edge-proxy to ${toRung} (time rules)`,
    });
  }
  const paused = await call('olga', 'GET', `/pauses?entityRef=${encodeURIComponent(entity('edge-proxy'))}`);
  if (!paused.items.some(p => p.entityRef === entity('edge-proxy'))) {
    await call('olga', 'POST', '/pauses', {
      scope: 'entity',
      entityRef: entity('edge-proxy'),
      reason: 'waiting for the proxy certificate rotation (demo)',
    });
  }
  const bad = await call('sam', 'GET', `/bad-commits?entityRef=${encodeURIComponent(entity('orders-api'))}`);
  if (!bad.items.some(b => b.sha === ref('orders-api', 0))) {
    await call('sam', 'POST', '/bad-commits', {
      entityRef: entity('orders-api'),
      sha: ref('orders-api', 0),
      reason: 'writes orders without a customer id (demo)',
    });
  }

  // Break-glass (issue 19): globex-storefront's newest commit was requested onto shared dev without
  // a dry-run; olga overrode the failing gates with a reason, and the review waits for someone else.
  const gsOpen = openTo(await view('globex-storefront'), 'dev', gs);
  if (!placedRef(await view('globex-storefront'), 'dev') && !gsOpen?.breakGlass) {
    const blocked =
      gsOpen ??
      (await call('alice', 'POST', '/promotions', {
        entityRef: entity('globex-storefront'),
        toRung: 'dev',
        ref: gs,
        reason: 'demo seed: globex-storefront hotfix to shared dev',
      }));
    await call('olga', 'POST', `/promotions/${blocked.id}/break-glass`, {
      reason: 'Globex demo in one hour needs the hotfix on shared dev; the dry-run runner is down (demo)',
    });
  }

  // payments-gateway: live in production (HML approved by sam; prod requested by olga, approved by omar and sam).
  const pg = ref('payments-gateway', 2);
  await enroll('payments-gateway', pg);
  await proveLocal('payments-gateway', pg);
  await prepare('payments-gateway', 'dev', pg);
  await promote('payments-gateway', 'dev', pg);
  await prepare('payments-gateway', 'hml', pg);
  await promote('payments-gateway', 'hml', pg, { approvers: ['sam'] });
  // Production is deployed by an operator: olga requests it, omar and sam approve, olga deploys.
  const pgView = await view('payments-gateway');
  const pgProdPending = !openTo(pgView, 'prod', pg);
  await prepare('payments-gateway', 'prod', pg);
  // Its first placement on production: nothing proven there to roll back to, so the rollback
  // plan says how to undo it.
  if (pgProdPending)
    await call('alice', 'POST', '/evidence', {
      entityRef: entity('payments-gateway'),
      rung: 'prod',
      ref: pg,
      kind: 'rollback-plan',
      summary: `first placement of ${pg.slice(
        0,
        7,
      )} on prod: undo by rolling back the Deployment`,
      content:
        'First placement on Production, nothing proven there before. To undo: kubectl --context prod-oke -n khal-payments-gateway rollout undo deploy/payments-gateway (demo seed).',
      data: { firstPlacement: true },
    });
  await promote('payments-gateway', 'prod', pg, {
    requester: 'olga',
    approvers: ['omar', 'sam'],
  });

  await undoExamples();

  log('seeded');
  return `${
    resumed ? 'seeding resumed and finished' : 'seeded'
  }: orders-api at local, billing-worker proven at dev, customer-portal awaiting HML approval, payments-gateway live in prod (its HML drifted, a rollback drill recorded there), edge-proxy at compose (paused; soaking for kind, its platform_control request expiring), globex-storefront at local with a break-glass to dev awaiting review, a bad commit of orders-api`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  seedDemo({ baseUrl: process.argv[2] ?? 'http://localhost:7007' }).then(
    s => console.log(s),
    e => {
      console.error(e.message);
      process.exit(1);
    },
  );
}
