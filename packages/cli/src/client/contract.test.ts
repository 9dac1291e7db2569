import { ladderAnswerProblems } from '@khal/plugin-ladder-common/spec';
import {
  deployPlan,
  entityLadder,
  errorBody,
  evidence,
  ladder,
  promotion,
} from '../testing/fixtures';
import { unresolvedFactsIn } from './portalClient';

describe("the fake portal's answers follow the ladder API contract", () => {
  const strictly = (
    method: string,
    pathname: string,
    status: number,
    body: unknown,
  ) =>
    ladderAnswerProblems(
      { method, pathname, status, body },
      { undeclaredFields: 'reject' },
    );

  it('checks every fixture against the OpenAPI spec, with no field the spec does not declare', () => {
    expect(strictly('GET', '/ladders', 200, { items: [ladder] })).toEqual([]);
    expect(
      strictly(
        'GET',
        '/entities/component/default/orders-api',
        200,
        entityLadder(),
      ),
    ).toEqual([]);
    expect(strictly('GET', '/plan', 200, deployPlan())).toEqual([]);
    expect(strictly('GET', '/promotions/p-1', 200, promotion())).toEqual([]);
    expect(strictly('POST', '/evidence', 201, evidence())).toEqual([]);
    expect(
      strictly(
        'GET',
        '/promotions/p-1',
        404,
        errorBody('NotFoundError', 'no', 404),
      ),
    ).toEqual([]);
  });

  it('would notice a fixture that drifts', () => {
    expect(
      strictly('GET', '/promotions/p-1', 200, { ...promotion(), extra: 1 }),
    ).toEqual([
      {
        place: '(body)',
        message: 'has "extra", which the spec does not declare',
      },
    ]);
    const { phase: _phase, ...withoutPhase } = promotion();
    expect(strictly('GET', '/promotions/p-1', 200, withoutPhase)).toEqual([
      { place: '(body)', message: "must have required property 'phase'" },
    ]);
  });
});

describe('unresolvedFactsIn', () => {
  const facts = [
    { fact: 'rung dev: deploy command', howToConfigure: 'set commands.deploy' },
  ];

  it('reads the facts where the contract puts them (error.unresolved)', () => {
    expect(
      unresolvedFactsIn({
        error: { name: 'InputError', message: 'm', unresolved: facts },
        response: { statusCode: 422 },
      }),
    ).toEqual(facts);
  });

  it('returns nothing for bodies without facts', () => {
    expect(unresolvedFactsIn({ error: { message: 'no' } })).toEqual([]);
    expect(unresolvedFactsIn({ unresolved: facts })).toEqual([]);
    expect(unresolvedFactsIn('text')).toEqual([]);
    expect(unresolvedFactsIn(undefined)).toEqual([]);
  });
});
