/*
 * Fidelity test with a real Kubernetes client: kubectl talks to the simulator
 * over TLS with a kubeconfig written for it, and deploys, waits for, and rolls
 * back a Deployment the way the ladder's rung commands do. kubectl is required:
 * without it this suite fails and says how to install it.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunningSimulator, startSimulator } from '../simulator';
import { ensureTlsMaterial } from '../tls';
import { kubeconfigFor, writeKubeconfig } from '../kubeconfig';

const KUBECTL_MISSING = `kubectl is required for the simulator's fidelity tests and was not found on PATH.
Install it: Debian/Ubuntu "apt-get install -y kubernetes-client", or see https://kubernetes.io/docs/tasks/tools/`;

function requireKubectl(): void {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
  } catch {
    throw new Error(KUBECTL_MISSING);
  }
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kubectl(
  kubeconfig: string,
  args: string[],
  stdin?: string,
): Promise<Run> {
  return new Promise(resolve => {
    const child = execFile(
      'kubectl',
      ['--kubeconfig', kubeconfig, ...args],
      { timeout: 30_000, env: { ...process.env, KUBECONFIG: '' } },
      (error, stdout, stderr) => {
        let code = 0;
        if (error) code = typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin!.end(stdin ?? '');
  });
}

const SHA_1 = '1111111111111111111111111111111111111111';
const SHA_2 = '2222222222222222222222222222222222222222';

/** The manifest the ladder's rung commands apply: a namespace and a Deployment pinned to a SHA. */
function manifest(sha: string): string {
  return `apiVersion: v1
kind: Namespace
metadata:
  name: khal-walk-svc
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: walk-svc
  namespace: khal-walk-svc
  labels:
    backstage.io/kubernetes-id: walk-svc
  annotations:
    khal.ai/ref: "${sha}"
spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/instance: walk-svc
  template:
    metadata:
      labels:
        app.kubernetes.io/instance: walk-svc
        backstage.io/kubernetes-id: walk-svc
      annotations:
        khal.ai/ref: "${sha}"
    spec:
      containers:
        - name: app
          image: "walk-svc:${sha}"
          ports:
            - containerPort: 8080
`;
}

describe('kubectl against the simulator over TLS', () => {
  let sim: RunningSimulator;
  let dir: string;
  let kubeconfig: string;

  beforeAll(async () => {
    requireKubectl();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-simulator-kubectl-'));
    const tls = ensureTlsMaterial(path.join(dir, 'tls'));
    sim = await startSimulator({
      clusters: [
        {
          name: 'shared-dev',
          token: 'FAKE-shared-dev-token',
          objects: [],
          rolloutDurationMs: 400,
        },
      ],
      tls,
    });
    kubeconfig = path.join(dir, 'kubeconfig');
    writeKubeconfig(kubeconfig, sim.clusters, tls.ca);
  });

  afterAll(async () => {
    await sim?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves https when given TLS material', () => {
    expect(sim.clusters[0].url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('applies a Deployment, waits for its rollout, rolls a new image out and undoes it back to the previous SHA', async () => {
    const ctx = ['--context', 'shared-dev', '-n', 'khal-walk-svc'];
    const first = await kubectl(
      kubeconfig,
      ['--context', 'shared-dev', 'apply', '-f', '-'],
      manifest(SHA_1),
    );
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toContain('namespace/khal-walk-svc created');
    expect(first.stdout).toContain('deployment.apps/walk-svc created');
    expect(
      await kubectl(kubeconfig, [
        ...ctx,
        'rollout',
        'status',
        'deploy/walk-svc',
      ]),
    ).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('successfully rolled out'),
    });

    const second = await kubectl(
      kubeconfig,
      ['--context', 'shared-dev', 'apply', '-f', '-'],
      manifest(SHA_2),
    );
    expect(second).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('deployment.apps/walk-svc configured'),
    });
    expect(
      await kubectl(kubeconfig, [
        ...ctx,
        'rollout',
        'status',
        'deploy/walk-svc',
      ]),
    ).toMatchObject({ code: 0 });
    const rolled = sim.cluster('shared-dev').get({
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      namespace: 'khal-walk-svc',
      name: 'walk-svc',
    });
    expect(rolled?.spec.template.spec.containers[0].image).toBe(
      `walk-svc:${SHA_2}`,
    );

    expect(
      await kubectl(kubeconfig, [...ctx, 'rollout', 'undo', 'deploy/walk-svc']),
    ).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('rolled back'),
    });
    expect(
      await kubectl(kubeconfig, [
        ...ctx,
        'rollout',
        'status',
        'deploy/walk-svc',
      ]),
    ).toMatchObject({ code: 0 });
    const undone = sim.cluster('shared-dev').get({
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      namespace: 'khal-walk-svc',
      name: 'walk-svc',
    });
    // What the ladder observes: the image tag and the khal.ai/ref annotations are the previous SHA again.
    expect(undone?.spec.template.spec.containers[0].image).toBe(
      `walk-svc:${SHA_1}`,
    );
    expect(undone?.spec.template.metadata.annotations['khal.ai/ref']).toBe(
      SHA_1,
    );
    expect(undone?.metadata.annotations?.['khal.ai/ref']).toBe(SHA_1);
    // The rollback reused revision 1's ReplicaSet as revision 3, as the deployment controller does.
    const history = await kubectl(kubeconfig, [
      ...ctx,
      'rollout',
      'history',
      'deploy/walk-svc',
    ]);
    expect(
      history.stdout
        .split('\n')
        .map(l => l.split(/\s+/)[0])
        .filter(n => /^\d+$/.test(n)),
    ).toEqual(['2', '3']);

    const image = await kubectl(kubeconfig, [
      ...ctx,
      'get',
      'deploy',
      'walk-svc',
      '-o',
      'jsonpath={.spec.template.spec.containers[0].image}',
    ]);
    expect(image).toMatchObject({ code: 0, stdout: `walk-svc:${SHA_1}` });
    const logs = await kubectl(kubeconfig, [
      ...ctx,
      'logs',
      'deploy/walk-svc',
      '--tail',
      '20',
    ]);
    expect(logs.code).toBe(0);
  }, 120_000);

  it('refuses the wrong token (kubectl sends it, the simulator checks it)', async () => {
    const wrong = path.join(dir, 'wrong-token');
    const text = fs
      .readFileSync(kubeconfig, 'utf8')
      .replace('FAKE-shared-dev-token', 'FAKE-wrong-token');
    fs.writeFileSync(wrong, text);
    const run = await kubectl(wrong, [
      '--context',
      'shared-dev',
      'get',
      'namespaces',
    ]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/Unauthorized|provide credentials/);
  });

  it('is refused by kubectl when the kubeconfig carries another CA (the certificate is really verified)', async () => {
    const other = ensureTlsMaterial(path.join(dir, 'other-tls'));
    const file = path.join(dir, 'other-ca');
    fs.writeFileSync(file, kubeconfigFor(sim.clusters, other.ca));
    const run = await kubectl(file, [
      '--context',
      'shared-dev',
      'get',
      'namespaces',
    ]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/certificate/);
  });
});
