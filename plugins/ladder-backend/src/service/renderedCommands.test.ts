import request from 'supertest';
import { mockCredentials } from '@backstage/backend-test-utils';
import { createAppRepository, startLadderBackend } from '../__testUtils__/ladderFixture';
import { renderForPeople } from './rungCommands';

jest.setTimeout(60_000);

const as = (name: string) => mockCredentials.user.header(`user:default/${name}`);

describe('commands on an entity view', () => {
  const repo = createAppRepository();
  const { a } = repo.commits;
  let backend: Awaited<ReturnType<typeof startLadderBackend>>;

  beforeAll(async () => {
    backend = await startLadderBackend({ repoDir: repo.dir });
  });
  afterAll(() => backend.stop());

  const view = () =>
    request(backend.server).get('/api/ladder/entities/component/default/orders-api').set('Authorization', as('alice'));

  it('are rendered for the entity and rung, with the placed ref (no {{…}} reaches a person)', async () => {
    const enrolled = await request(backend.server)
      .post('/api/ladder/enrollments')
      .set('Authorization', as('alice'))
      .send({ entityRef: 'component:default/orders-api', ref: a });
    expect(enrolled.status).toBe(201);
    const res = await view();
    expect(res.status).toBe(200);
    const byId = Object.fromEntries(res.body.rungs.map((r: any) => [r.rung.id, r.rung]));
    expect(byId.local.commands).toEqual({ logs: 'pm2 logs orders-api', rollback: `git checkout ${a}` });
    // dev has nothing placed: its commands take the ref a promotion would bring up from local.
    expect(byId.dev.commands.logs).toMatch(/^kubectl -n khal-orders-api logs deploy\/\S+$/);
    expect(byId.dev.kubernetes).toEqual({ cluster: 'shared-dev', namespace: 'khal-orders-api' });
    expect(res.body.ladder.rungs.find((r: any) => r.id === 'local').commands.rollback).toBe(`git checkout ${a}`);
    expect(JSON.stringify(res.body)).not.toContain('{{');
  });

  it('are the commands the deploy plan runs, and the plan lists the tools each needs', async () => {
    const plan = await request(backend.server)
      .get('/api/ladder/plan')
      .query({ entityRef: 'component:default/orders-api', target: 'dev', ref: a })
      .set('Authorization', as('alice'));
    expect(plan.status).toBe(200);
    const shown = (await view()).body.rungs.find((r: any) => r.rung.id === 'dev').rung.commands;
    expect(plan.body.commands).toEqual(shown);
    expect(plan.body.tools).toEqual({ logs: ['kubectl'], status: ['kubectl'], dryRun: ['kubectl'] });
  });

  it('keep the templates in the ladder definitions (GET /ladders), which belong to no entity', async () => {
    const res = await request(backend.server).get('/api/ladder/ladders').set('Authorization', as('alice'));
    expect(res.body.items[0].rungs[0].commands.logs).toBe('pm2 logs {{entity.name}}');
  });
});

describe('renderForPeople', () => {
  it('fills what it can and shows what it cannot as <name>, never {{name}}', () => {
    expect(renderForPeople('git checkout {{ref}} && pm2 reload {{entity.name}}', { 'entity.name': 'walk-svc' })).toBe(
      'git checkout <ref> && pm2 reload walk-svc',
    );
  });
});
