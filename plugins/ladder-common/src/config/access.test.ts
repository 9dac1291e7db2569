import { LadderConfigError, parseLadderConfig } from './parse';

const ladders = [
  {
    id: 'khal',
    title: 'Khal',
    rungs: [
      { id: 'local', title: 'Local', runtime: 'pm2', mutationPolicy: 'self' },
    ],
  },
];

function problemsOf(extra: Record<string, unknown>) {
  try {
    parseLadderConfig({ ladders, ...extra });
  } catch (e) {
    if (e instanceof LadderConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('ladder.servicePrincipals and ladder.customers', () => {
  it('allows no service by default, and expands "read" to every read route', () => {
    expect(parseLadderConfig({ ladders }).servicePrincipals).toEqual([]);
    const config = parseLadderConfig({
      ladders,
      servicePrincipals: [
        { subject: 'external:khal-ci', routes: ['read', 'evidence.create'] },
      ],
    });
    expect(config.servicePrincipals[0].routes.sort()).toEqual([
      'audit.read',
      'changes.read',
      'entities.read',
      'evidence.create',
      'evidence.read',
      'ladders.read',
      'overview.read',
      'plan.read',
      'promotions.read',
      'sources.read',
    ]);
  });

  it('names the config path of an unknown route, a bad subject and a duplicate', () => {
    expect(
      problemsOf({
        servicePrincipals: [
          { subject: 'plugin:scaffolder', routes: ['enrollments.create'] },
          { subject: 'scaffolder', routes: ['read'] },
          { subject: 'external:ci', routes: ['read'] },
          { subject: 'external:ci', routes: ['audit.read'] },
        ],
      }),
    ).toEqual([
      {
        path: 'ladder.servicePrincipals[0].routes[0]',
        message: expect.stringContaining(
          'unknown route; use "read" or one of ladders.read',
        ),
      },
      {
        path: 'ladder.servicePrincipals[1].subject',
        message: expect.stringContaining('"plugin:<pluginId>"'),
      },
      {
        path: 'ladder.servicePrincipals[3]',
        message: '"external:ci" is listed twice; merge the two entries',
      },
    ]);
  });

  it('checks customers: id, title and stakeholder groups', () => {
    expect(
      problemsOf({
        customers: [
          {
            id: 'Acme Retail',
            title: 'Acme',
            stakeholders: ['group:default/acme'],
          },
          { id: 'globex', title: 'Globex', stakeholders: [] },
        ],
      }).map(p => p.path),
    ).toEqual(['ladder.customers[0].id', 'ladder.customers[1].stakeholders']);
  });
});
