import * as fixtures from '../testing/fixtures';
import { FakePortal, RecordedRequest } from '../testing/fakePortal';
import { FakePortalSession, useFakePortal } from '../testing/useFakePortal';
import { runKhal } from '../testing/runKhal';

jest.setTimeout(60_000);

const TASKS = '/api/scaffolder/v2/tasks';
const SCHEMA =
  '/api/scaffolder/v2/templates/default/template/khal-node-app/parameter-schema';
const REPO = 'file:///srv/git/orders-api.git';

const steps = [
  { id: 'fetch', name: 'Fetch the skeleton', action: 'fetch:template' },
  { id: 'publish', name: 'Publish', action: 'khal:publish:local' },
];

function event(id: number, type: string, body: object) {
  return {
    id,
    taskId: 'task-1',
    type,
    createdAt: '2026-01-01T00:00:00Z',
    body,
  };
}

/** The events of a run that ends `completed` (with the template's output) or `failed`. */
function events(end: 'completed' | 'failed') {
  const list = [
    event(1, 'log', {
      message: 'Beginning step Fetch the skeleton',
      stepId: 'fetch',
      status: 'processing',
    }),
    event(2, 'log', {
      message: 'Finished step Fetch the skeleton',
      stepId: 'fetch',
      status: 'completed',
    }),
    event(3, 'log', {
      message: 'Beginning step Publish',
      stepId: 'publish',
      status: 'processing',
    }),
  ];
  if (end === 'completed') {
    list.push(
      event(4, 'log', {
        message: 'Finished step Publish',
        stepId: 'publish',
        status: 'completed',
      }),
      event(5, 'completion', {
        message: 'Run completed with status: completed',
        output: {
          links: [
            { title: 'Open in catalog', entityRef: fixtures.ENTITY_REF },
            { title: 'Repository', url: REPO },
          ],
        },
      }),
    );
  } else {
    list.push(
      event(4, 'log', {
        message: 'Failed',
        stepId: 'publish',
        status: 'failed',
      }),
      event(5, 'completion', {
        message: 'Run completed with status: failed',
        error: {
          name: 'Error',
          message: 'the repository orders-api.git exists already',
        },
      }),
    );
  }
  return list;
}

function scaffolderRoutes(portal: FakePortal, end: 'completed' | 'failed') {
  portal.route(`GET ${SCHEMA}`, {
    body: {
      title: 'Khal Node app',
      steps: [
        {
          title: 'The app',
          schema: {
            required: ['name', 'owner'],
            properties: {
              name: { type: 'string' },
              owner: { type: 'string', title: 'Owner' },
            },
          },
        },
      ],
    },
  });
  portal.route(`POST ${TASKS}`, { status: 201, body: { id: 'task-1' } });
  portal.route(`GET ${TASKS}/task-1`, {
    body: {
      id: 'task-1',
      spec: { apiVersion: 'scaffolder.backstage.io/v1beta3', steps },
      status: 'processing',
      createdAt: '2026-01-01T00:00:00Z',
    },
  });
  const all = events(end);
  // The events route answers what came after `after`, a few at a time, as the backend does.
  portal.route(`GET ${TASKS}/task-1/events`, (req: RecordedRequest) => {
    const after = Number(req.query.after ?? 0);
    return { body: all.filter(e => e.id > after).slice(0, 2) };
  });
}

describe('khal new (CLI process against a fake portal)', () => {
  let portal: FakePortal;
  let app: FakePortalSession['app'];
  let env: Record<string, string>;
  useFakePortal(s => ({ portal, app, env } = s));

  it('creates the app through the scaffolder tasks API with the login token, shows each step, and ends with the repository, catalog link and footer', async () => {
    scaffolderRoutes(portal, 'completed');
    const run = await runKhal(
      ['new', 'orders-api', '--param', 'owner=group:default/team-orders'],
      { env, cwd: app.dir },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const created = portal.requests.find(
      r => r.method === 'POST' && r.path === TASKS,
    )!;
    expect(created.headers.authorization).toBe('Bearer good-token');
    expect(created.body).toEqual({
      templateRef: 'template:default/khal-node-app',
      values: { name: 'orders-api', owner: 'group:default/team-orders' },
    });
    expect(run.stdout).toContain(
      'Creating orders-api from template:default/khal-node-app (task task-1, 2 steps):',
    );
    expect(run.stdout).toContain('[1/2] Fetch the skeleton: started');
    expect(run.stdout).toContain('[1/2] Fetch the skeleton: completed');
    expect(run.stdout).toContain('[2/2] Publish: completed');
    expect(run.stdout).toContain(`Repository: ${REPO}`);
    expect(run.stdout).toContain(
      `Catalog:    ${portal.url}/catalog/default/component/orders-api`,
    );
    expect(run.stdout).toMatch(
      /Where you are: +component:default\/orders-api on Local/,
    );
    expect(run.stdout).toContain(
      `khal install ${REPO} --branch main --target local`,
    );
    expect(run.stdout).toMatch(/Evidence: +recorded scaffolder task task-1/);
  });

  it('--json prints one document: task, steps, repository, entity, catalog link and the footer facts', async () => {
    scaffolderRoutes(portal, 'completed');
    const run = await runKhal(
      [
        'new',
        'orders-api',
        '--param',
        'owner=group:default/team-orders',
        '--json',
      ],
      { env, cwd: app.dir },
    );
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(Object.keys(out)).toEqual([
      'taskId',
      'templateRef',
      'status',
      'steps',
      'repoUrl',
      'entityRef',
      'catalogUrl',
      'output',
      'step',
    ]);
    expect(out).toMatchObject({
      taskId: 'task-1',
      status: 'completed',
      repoUrl: REPO,
      entityRef: fixtures.ENTITY_REF,
    });
    expect(out.steps).toEqual([
      { id: 'fetch', name: 'Fetch the skeleton', status: 'completed' },
      { id: 'publish', name: 'Publish', status: 'completed' },
    ]);
    // Progress goes to stderr under --json, so stdout stays one JSON document.
    expect(run.stderr).toContain('[2/2] Publish: completed');
  });

  it('a failed task is exit 1 naming the step and the reason', async () => {
    scaffolderRoutes(portal, 'failed');
    const run = await runKhal(
      ['new', 'orders-api', '--param', 'owner=group:default/team-orders'],
      { env, cwd: app.dir },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'khal: task task-1 failed at step "Publish": the repository orders-api.git exists already\n',
    );
  });

  it('a missing required parameter is exit 2 before any task is created', async () => {
    scaffolderRoutes(portal, 'completed');
    const run = await runKhal(['new', 'orders-api'], { env, cwd: app.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('the template needs --param owner=…');
    expect(portal.requests.some(r => r.method === 'POST')).toBe(false);
  });

  it('a rejected token is exit 4 with a sentence, not the raw response', async () => {
    portal.route(`GET ${SCHEMA}`, {
      status: 401,
      body: fixtures.errorBody('AuthenticationError', 'token expired', 401),
    });
    const run = await runKhal(['new', 'orders-api', '--param', 'owner=x'], {
      env,
      cwd: app.dir,
    });
    expect(run.code).toBe(4);
    expect(run.stderr).toBe(
      `khal: the portal at ${portal.url} rejected the token: token expired — run \`khal login --portal ${portal.url}\`\n`,
    );
  });

  it('an unknown template is exit 5', async () => {
    const run = await runKhal(['new', 'orders-api', '--template', 'nope'], {
      env,
      cwd: app.dir,
    });
    expect(run.code).toBe(5);
    expect(run.stderr).toMatch(/^khal: not found: /);
  });
});
