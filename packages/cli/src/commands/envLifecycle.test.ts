import fs from 'node:fs';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import type { EntityLadderResponse, RungSummary } from '../client/contract';
import * as fixtures from '../testing/fixtures';
import { FakePortal } from '../testing/fakePortal';
import { FakePortalSession, useFakePortal } from '../testing/useFakePortal';
import { runKhal } from '../testing/runKhal';

jest.setTimeout(60_000);

type Lifecycle = NonNullable<RungSummary['lifecycle']>;

function composeRung(lifecycle: Lifecycle): RungSummary {
  return {
    id: 'compose',
    title: 'Compose',
    aliases: ['dc'],
    audience: 'every FDE',
    runtime: 'compose',
    purpose: '',
    optional: false,
    mutationPolicy: 'self',
    entryGates: [],
    proofChecks: [],
    commands: {},
    metadata: { contacts: ['ana@khal.example'], requiresExplanation: false },
    approvers: {
      groups: ['group:default/operators'],
      minimum: 1,
      rules: [{ title: '1 of group:default/operators', groups: ['group:default/operators'], minimum: 1 }],
    },
    boundary: { useFor: ['parity checks'], mustProvide: ['the app on :8080'], mustNotBe: ['shared'] },
    lifecycle,
  };
}

function ladderWith(lifecycle: Lifecycle): EntityLadderResponse {
  const rung = composeRung(lifecycle);
  return fixtures.entityLadder({
    ladder: { id: 'parity', title: 'Parity', description: '', rungs: [rung] },
    rungs: [{ rung, placement: null, proof: [], status: 'empty', statusReason: 'nothing placed yet' }],
    openPromotions: [],
  });
}

const step = (title: string, run: string, extra: Partial<Lifecycle[string][number]> = {}) => ({ title, run, ...extra });

describe('khal env up|status|validate|down|reset (CLI process)', () => {
  let portal: FakePortal;
  let app: FakePortalSession['app'];
  let env: Record<string, string>;

  useFakePortal(s => ({ portal, app, env } = s));

  const serve = (lifecycle: Lifecycle) =>
    portal.route('GET /api/ladder/entities/component/default/orders-api', { body: ladderWith(lifecycle) });
  const evidencePosts = () =>
    portal.requests.filter(r => r.method === 'POST' && r.path === '/api/ladder/evidence').map(r => r.body as any);
  const khal = (args: string[]) => runKhal(['env', ...args, '--ref', fixtures.REF], { env, cwd: app.dir });

  it('runs up step by step as plain lines when piped, fills {{ref}} with the SHA, records no evidence', async () => {
    serve({
      up: [step('Write the ref', 'echo <ref> > up.txt'), step('Read it back', 'test -s up.txt')],
    });
    const run = await khal(['up', '--target', 'dc']);
    expect(run.code).toBe(0);
    expect(fs.readFileSync(path.join(app.dir, 'up.txt'), 'utf8').trim()).toBe(fixtures.REF);
    // Piped: one plain line per step, no spinner frames or colour codes.
    expect(run.stderr).toBe(stripVTControlCharacters(run.stderr));
    expect(run.stderr).toMatch(/\[1\/2\] Write the ref\n✔ \[1\/2\] Write the ref \(\d+\.\ds\)\n\[2\/2\] Read it back\n/);
    expect(run.stderr).toMatch(/✔ env up on Compose passed/);
    expect(evidencePosts()).toHaveLength(0);
  });

  it('stops at the first failure with the step, its log tail and fix, and whom to ask; later steps never run', async () => {
    serve({
      up: [
        step('Docker engine reachable', 'echo checking; echo "Cannot connect to the Docker daemon" >&2; exit 3', {
          howToFix: 'install Docker and start it',
        }),
        step('Start', 'touch started.txt'),
      ],
    });
    const run = await khal(['up', '--target', 'compose']);
    expect(run.code).toBe(1);
    expect(fs.existsSync(path.join(app.dir, 'started.txt'))).toBe(false);
    expect(run.stderr).toContain('✘ [1/2] Docker engine reachable (exit 3)');
    expect(run.stderr).toContain('khal: env up stopped at "Docker engine reachable" (exit 3)');
    expect(run.stderr).toMatch(/last 2 lines:\n {4}checking\n {4}Cannot connect to the Docker daemon\n/);
    expect(run.stderr).toContain('fix: install Docker and start it');
    expect(run.stderr).toContain(
      'Who can unblock this: ana@khal.example (contacts of Compose); group:default/operators (approvers; 1 approval needed).',
    );
    expect(run.stderr).toContain('Ask for help: khal help-request --target compose');
  });

  it('--json: one document with each step, the failed step and whom to ask', async () => {
    serve({ down: [step('Stop', 'exit 4'), step('Clean', 'true')] });
    const run = await khal(['down', '--target', 'compose', '--json']);
    expect(run.code).toBe(1);
    const json = JSON.parse(run.stdout);
    expect(json).toMatchObject({
      action: 'down',
      entityRef: fixtures.ENTITY_REF,
      rung: { id: 'compose', title: 'Compose' },
      ref: fixtures.REF,
      ok: false,
      steps: [
        { title: 'Stop', status: 'failed', exitCode: 4 },
        { title: 'Clean', status: 'skipped', exitCode: null },
      ],
      failedStep: { title: 'Stop', exitCode: 4 },
      notChecked: [],
      evidence: null,
      whomToAsk: { rung: 'compose', contacts: ['ana@khal.example'], helpCommand: 'khal help-request --target compose' },
    });
  });

  it('records status output as status evidence bound to the SHA', async () => {
    serve({ status: [step('Services', 'echo "web  running"')] });
    const run = await khal(['status', '--target', 'compose', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).evidence).toEqual({ id: 'ev-status', kind: 'status', redactions: 0 });
    const [posted] = evidencePosts();
    expect(posted).toMatchObject({
      entityRef: fixtures.ENTITY_REF,
      rung: 'compose',
      ref: fixtures.REF,
      kind: 'status',
      data: { exitCode: 0, action: 'status' },
    });
    expect(posted.content).toContain('web  running');
  });

  it('bypass: a validate that only checks readiness fails closed, naming ingress and config and what to add', async () => {
    serve({ validate: [step('Ready', 'true', { checks: 'readiness' })] });
    const run = await khal(['validate', '--target', 'compose']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('khal: validate failed closed: Compose does not check ingress, config');
    expect(run.stderr).toContain('- ingress: add a lifecycle.validate step with "checks: ingress"');
    expect(run.stderr).toContain('- config: add a lifecycle.validate step with "checks: config"');
    // The failure is on record, and its exit code says it proves nothing.
    const [posted] = evidencePosts();
    expect(posted).toMatchObject({ kind: 'validation', data: { exitCode: 1, notChecked: ['ingress', 'config'] } });
  });

  it('bypass: a failing readiness check fails validate even when ingress and config pass', async () => {
    serve({
      validate: [
        step('Ingress', 'true', { checks: 'ingress' }),
        step('Config', 'true', { checks: 'config' }),
        step('Ready', 'echo "0/1 ready"; exit 1', { checks: 'readiness', howToFix: 'wait for the rollout' }),
      ],
    });
    const run = await khal(['validate', '--target', 'compose', '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, failedStep: { title: 'Ready', howToFix: 'wait for the rollout' } });
    expect(evidencePosts()[0]).toMatchObject({ kind: 'validation', data: { exitCode: 1 } });
  });

  it('passes validate when ingress, config and readiness all pass, and records it as validation evidence', async () => {
    serve({
      validate: [
        step('Ingress', 'echo 200', { checks: 'ingress' }),
        step('Config', 'echo ok', { checks: 'config' }),
        step('Ready', 'echo ready', { checks: 'readiness' }),
      ],
    });
    const run = await khal(['validate', '--target', 'compose', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, notChecked: [], whomToAsk: null });
    expect(evidencePosts()[0]).toMatchObject({ kind: 'validation', data: { exitCode: 0 } });
  });

  it('--no-evidence runs validate without recording it', async () => {
    serve({ validate: [step('All', 'true', { checks: 'readiness' })] });
    const run = await khal(['validate', '--target', 'compose', '--no-evidence']);
    expect(run.code).toBe(1);
    expect(evidencePosts()).toHaveLength(0);
  });

  it('exits 7 and runs nothing when a step needs a program that is not installed', async () => {
    serve({ up: [step('Docker engine reachable', 'khal-no-such-tool-docker info'), step('Start', 'touch started.txt')] });
    const run = await khal(['up', '--target', 'compose']);
    expect(run.code).toBe(7);
    expect(run.stderr).toContain('it needs khal-no-such-tool-docker, which is not installed');
    expect(fs.existsSync(path.join(app.dir, 'started.txt'))).toBe(false);
  });

  it('exits 6 for an action the rung does not declare, naming the ones it does', async () => {
    serve({ up: [step('Start', 'true')] });
    const run = await khal(['reset', '--target', 'compose']);
    expect(run.code).toBe(6);
    expect(run.stderr).toContain('khal: Compose declares no lifecycle.reset; nothing was run');
    expect(run.stderr).toContain('it declares: up (khal env up --target compose)');
    expect(run.stderr).toContain('Who can unblock this: ana@khal.example');
  });

  it('exits 6 without running a step whose placeholder the portal could not fill', async () => {
    serve({ up: [step('Rollout', 'echo <kubernetesId> > ran.txt')] });
    const run = await khal(['up', '--target', 'compose']);
    expect(run.code).toBe(6);
    expect(run.stderr).toContain('not run: the portal could not fill {{kubernetesId}}');
    expect(fs.existsSync(path.join(app.dir, 'ran.txt'))).toBe(false);
  });

  it('keeps `khal env` and `khal env shell` printing the shell exports', async () => {
    const plain = await runKhal(['env'], { env, cwd: app.dir });
    const shell = await runKhal(['env', 'shell'], { env, cwd: app.dir });
    expect(plain.code).toBe(0);
    expect(shell.code).toBe(0);
    expect(plain.stdout).toBe(shell.stdout);
    expect(plain.stdout.split('\n').filter(Boolean).every(l => l.startsWith('export '))).toBe(true);
  });
});
