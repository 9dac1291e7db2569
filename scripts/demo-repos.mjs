// Creates the demo apps' git repositories under data/repos/<name>.git (the embedded default's
// "local git host"). Commits use fixed authors and dates, so their SHAs are the same on every
// machine and the simulated clusters' fixtures can name them.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './lib/processes.mjs';

export const reposDir =
  process.env.KHAL_REPOS_DIR ?? join(root, 'data', 'repos');

const apps = {
  'orders-api': {
    title: 'Orders API',
    port: 8080,
    db: true,
    secrets: { DATABASE_URL: ['orders-api-db', 'database-url'] },
  },
  'billing-worker': {
    title: 'Billing worker',
    port: 8081,
    db: true,
    // The Secret the demo cluster holds its database URL in (packages/kube-simulator/fixtures).
    secrets: { DATABASE_URL: ['billing-worker-db', 'database-url'] },
  },
  'customer-portal': { title: 'Customer portal', port: 3001, db: false },
  'payments-gateway': {
    title: 'Payments gateway',
    port: 8443,
    db: true,
    provider: true,
    secrets: {
      PAYMENTS_API_KEY: ['payments-gateway-secrets', 'api-key'],
      WEBHOOK_SIGNING_KEY: ['payments-gateway-secrets', 'webhook-signing-key'],
      DATABASE_URL: ['payments-gateway-secrets', 'database-url'],
      PAYMENT_PROVIDER_KEY: [
        'payments-gateway-secrets',
        'payment-provider-key',
      ],
    },
    config: {
      name: 'payments-gateway-config',
      keys: { LOG_LEVEL: 'log-level' },
    },
  },
  'edge-proxy': { title: 'Edge proxy', port: 8088, db: false },
  // The second customer's app (khal.ai/customer: globex).
  'globex-storefront': { title: 'Globex storefront', port: 3002, db: false },
};

function manifest(name, app, step) {
  const env = [];
  if (app.db)
    env.push({
      name: 'DATABASE_URL',
      description: `${app.title} database`,
      required: true,
      secret: true,
    });
  if (step >= 2)
    env.push({
      name: 'LOG_LEVEL',
      description: 'Log verbosity',
      required: false,
      default: 'info',
      enum: ['debug', 'info', 'warn'],
    });
  if (app.provider && step >= 3)
    env.push({
      name: 'PAYMENT_PROVIDER_KEY',
      description: 'API key of the payment provider',
      required: true,
      secret: true,
    });
  return {
    apiVersion: 'khal.ai/v1',
    name,
    title: app.title,
    owner: 'group:default/fdes',
    runtime: {
      kind: 'node',
      build: 'npm run build',
      typecheck: 'npm run typecheck',
      start: 'node dist/index.js',
      port: app.port,
      health: step >= 2 ? '/healthz' : '/',
    },
    env,
    deploy: { kubernetes: { id: name, chart: 'deploy/chart' } },
  };
}

/**
 * deploy/kubernetes.yaml of a demo app, the shape of the khal-node-app skeleton's: the rung's
 * deploy command fills in @REF@ (the full commit SHA) and @NAMESPACE@ and applies it with kubectl.
 * The settings are wired from the Secrets and ConfigMaps the demo clusters hold (fake values).
 * No `replicas`: each cluster keeps the count it runs (production scales payments-gateway).
 */
function kubernetesYaml(name, app) {
  const labels = [`backstage.io/kubernetes-id: ${name}`, `app: ${name}`];
  const indent = (n, lines) =>
    lines.map(l => `${' '.repeat(n)}${l}`).join('\n');
  const env = [
    '- name: PORT',
    `  value: "${app.port}"`,
    ...Object.entries(app.secrets ?? {}).flatMap(([setting, [secret, key]]) => [
      `- name: ${setting}`,
      '  valueFrom:',
      '    secretKeyRef:',
      `      name: ${secret}`,
      `      key: ${key}`,
    ]),
    ...Object.entries(app.config?.keys ?? {}).flatMap(([setting, key]) => [
      `- name: ${setting}`,
      '  valueFrom:',
      '    configMapKeyRef:',
      `      name: ${app.config.name}`,
      `      key: ${key}`,
    ]),
  ];
  const envFrom = app.config
    ? [
        '          envFrom:',
        '            - configMapRef:',
        `                name: ${app.config.name}`,
      ]
    : [];
  return [
    '# Plain manifests for the Kubernetes rungs (dev, hml, prod), applied with kubectl alone.',
    "# The rung's deploy command fills in the full commit SHA and the rung's namespace, e.g.",
    `#   sed -e 's/@REF@/<sha>/g' -e 's/@NAMESPACE@/khal-${name}/g' deploy/kubernetes.yaml \\`,
    '#     | kubectl --context shared-dev apply -f -',
    'apiVersion: v1',
    'kind: Namespace',
    'metadata:',
    '  name: "@NAMESPACE@"',
    '---',
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    '  namespace: "@NAMESPACE@"',
    '  labels:',
    indent(4, labels),
    '  annotations:',
    '    khal.ai/ref: "@REF@"',
    'spec:',
    '  selector:',
    '    matchLabels:',
    indent(6, labels),
    '  template:',
    '    metadata:',
    '      labels:',
    indent(8, labels),
    '      annotations:',
    '        khal.ai/ref: "@REF@"',
    '    spec:',
    '      containers:',
    `        - name: ${name}`,
    `          image: "registry.khal.local/${name}:@REF@"`,
    '          ports:',
    '            - name: http',
    '              containerPort: 8080',
    '          env:',
    indent(12, env),
    ...envFrom,
    '---',
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    `  name: ${name}`,
    '  namespace: "@NAMESPACE@"',
    '  labels:',
    indent(4, labels),
    'spec:',
    '  selector:',
    indent(4, labels),
    '  ports:',
    '    - name: http',
    '      port: 80',
    '      targetPort: 8080',
    '',
  ].join('\n');
}

const steps = [
  { message: 'Initial service', date: '2026-09-01T10:00:00Z' },
  {
    message: 'Add health endpoint and LOG_LEVEL',
    date: '2026-09-15T10:00:00Z',
  },
  { message: 'Harden settings', date: '2026-10-01T10:00:00Z' },
];

function git(cwd, args, date) {
  return execFileSync(
    'git',
    ['-c', 'commit.gpgsign=false', '-c', 'init.defaultBranch=main', ...args],
    {
      cwd,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'Khal Demo',
        GIT_AUTHOR_EMAIL: 'demo@khal.example',
        GIT_COMMITTER_NAME: 'Khal Demo',
        GIT_COMMITTER_EMAIL: 'demo@khal.example',
        GIT_AUTHOR_DATE: date ?? steps[0].date,
        GIT_COMMITTER_DATE: date ?? steps[0].date,
      },
      encoding: 'utf8',
    },
  ).trim();
}

/** Creates any missing demo repository; returns { app: [sha of each commit, oldest first] }. */
export function ensureDemoRepos() {
  mkdirSync(reposDir, { recursive: true });
  const refs = {};
  for (const [name, app] of Object.entries(apps)) {
    const bare = join(reposDir, `${name}.git`);
    if (!existsSync(bare)) {
      const work = mkdtempSync(join(tmpdir(), `khal-${name}-`));
      git(work, ['init', '-q']);
      steps.forEach((step, i) => {
        writeFileSync(
          join(work, 'khal-app.json'),
          `${JSON.stringify(manifest(name, app, i + 1), null, 2)}\n`,
        );
        writeFileSync(
          join(work, 'README.md'),
          `# ${app.title}\n\nDemo app of the Khal Ladder embedded default.\n`,
        );
        mkdirSync(join(work, 'deploy'), { recursive: true });
        writeFileSync(
          join(work, 'deploy', 'kubernetes.yaml'),
          kubernetesYaml(name, app),
        );
        writeFileSync(
          join(work, 'CHANGELOG.md'),
          steps
            .slice(0, i + 1)
            .map(s => `- ${s.message}`)
            .join('\n') + '\n',
        );
        git(work, ['add', '-A']);
        git(work, ['commit', '-q', '-m', step.message], step.date);
      });
      git(work, ['clone', '-q', '--bare', work, bare]);
      rmSync(work, { recursive: true, force: true });
    }
    refs[name] = git(bare, ['rev-list', '--reverse', 'main']).split('\n');
  }
  return refs;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const refs = ensureDemoRepos();
  for (const [name, shas] of Object.entries(refs)) {
    console.log(`${name}: ${shas.map(s => s.slice(0, 7)).join(' ')}`);
  }
}
