import {
  isPromotionPhase,
  isTerminal,
  promotionPhases,
  terminalPhases,
} from './phase';

describe('promotion phases', () => {
  const terminal = [
    'Promoted',
    'Rejected',
    'Cancelled',
    'Superseded',
    'Failed',
    'Errored',
    'Expired',
  ];

  it.each(promotionPhases.map(p => [p, terminal.includes(p)] as const))(
    'isTerminal(%s) is %s',
    (phase, expected) => {
      expect(isTerminal(phase)).toBe(expected);
    },
  );

  it('has exactly the seven terminal phases', () => {
    expect([...terminalPhases].sort()).toEqual([...terminal].sort());
  });

  it.each(promotionPhases)('recognises %s as a phase', phase => {
    expect(isPromotionPhase(phase)).toBe(true);
  });

  it.each([
    undefined,
    null,
    1,
    {},
    '',
    'promoted',
    'Awaiting approval',
    'Pending',
  ])('does not recognise %p as a phase', v => {
    expect(isPromotionPhase(v)).toBe(false);
  });
});
