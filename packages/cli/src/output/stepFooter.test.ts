import * as fixtures from '../testing/fixtures';
import { STEP_LABELS, stepFacts } from './stepFooter';

describe('the step footer', () => {
  it('states where, what is safe to change, evidence, next and whom to ask from the ladder view', () => {
    const view = fixtures.entityLadder();
    const facts = stepFacts(view, 'hml', {
      recorded: ['dry-run evidence ev-9'],
    });
    expect(Object.keys(facts)).toEqual(Object.keys(STEP_LABELS));
    expect(facts.where).toBe(
      'component:default/orders-api on Customer HML (hml, rung 3 of 3 of ladder khal); placed there: -',
    );
    expect(facts.safeToChange).toMatch(
      /only through an approved promotion .* \(policy approval\)/,
    );
    expect(facts.evidence).toBe(
      'recorded dry-run evidence ev-9; hml is empty (no proof checks configured)',
    );
    expect(facts.next).toBe('record a clean dry-run for dev');
    expect(facts.whomToAsk).toBe(
      'group:default/stakeholders (approvers; 1 approval needed); khal help-request --target hml --entity component:default/orders-api',
    );
  });

  it('names the rung contacts first, and the owner when a rung has neither contacts nor approvers', () => {
    const view = fixtures.entityLadder();
    const local = stepFacts(view, 'local');
    expect(local.whomToAsk).toMatch(
      /^the owner of component:default\/orders-api/,
    );
    expect(local.safeToChange).toMatch(/yours to change \(policy self/);
    expect(local.where).toContain(`placed there: ${fixtures.REF.slice(0, 7)}`);
    const withContacts = fixtures.entityLadder();
    withContacts.ladder.rungs[2] = {
      ...withContacts.ladder.rungs[2],
      metadata: { contacts: ['user:default/sam'], requiresExplanation: true },
    };
    expect(stepFacts(withContacts, 'hml').whomToAsk).toBe(
      'user:default/sam (contacts of Customer HML); group:default/stakeholders (approvers; 1 approval needed); khal help-request --target hml --entity component:default/orders-api',
    );
  });

  it('cites the proof evidence the portal judged', () => {
    const view = fixtures.entityLadder();
    view.rungs[0].proof = [
      {
        gateId: 'evidence',
        title: 'Build',
        status: 'passed',
        summary: 'ok',
        evidenceIds: ['ev-1', 'ev-2'],
        checkedAt: '2026-01-01T00:00:00Z',
      },
    ];
    expect(stepFacts(view, 'local').evidence).toBe(
      'local is proven (evidence passed); proof evidence ev-1, ev-2',
    );
  });
});
