import {
  deployPlanSchema,
  entityLadderResponseSchema,
  evidenceSchema,
  promotionSchema,
} from '@khal/plugin-ladder-common';
import {
  deployPlan,
  entityLadder,
  evidence,
  promotion,
} from '../testing/fixtures';
import { unresolvedFactsIn } from './LadderClient';

describe('test fixtures follow the ladder API contract', () => {
  it('parses every fixture with its response schema, unchanged', () => {
    expect(entityLadderResponseSchema.parse(entityLadder())).toEqual(
      entityLadder(),
    );
    expect(deployPlanSchema.parse(deployPlan())).toEqual(deployPlan());
    expect(promotionSchema.parse(promotion())).toEqual(promotion());
    expect(evidenceSchema.parse(evidence())).toEqual(evidence());
  });
});

describe('unresolvedFactsIn', () => {
  const facts = [
    { fact: 'rung dev: deploy command', howToConfigure: 'set commands.deploy' },
  ];

  it.each([
    [
      'top-level unresolved',
      { error: { name: 'X', message: 'm' }, unresolved: facts },
    ],
    ['inside error', { error: { name: 'X', message: 'm', unresolved: facts } }],
    ['details', { error: { name: 'X', message: 'm' }, details: facts }],
  ])('reads the facts from %s', (_, body) => {
    expect(unresolvedFactsIn(body)).toEqual(facts);
  });

  it('returns nothing for bodies without facts', () => {
    expect(unresolvedFactsIn({ error: { message: 'no' } })).toEqual([]);
    expect(unresolvedFactsIn('text')).toEqual([]);
    expect(unresolvedFactsIn(undefined)).toEqual([]);
  });
});
