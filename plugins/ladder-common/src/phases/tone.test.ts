import { promotionPhases } from './phase';
import { phaseLabel, phaseTone } from './tone';

const tones = ['neutral', 'info', 'progress', 'warning', 'success', 'error'];

describe('phase tone and label', () => {
  const expectedTone = {
    Checking: 'progress',
    Blocked: 'warning',
    AwaitingApproval: 'info',
    Approved: 'info',
    Deploying: 'progress',
    Verifying: 'progress',
    Promoted: 'success',
    Rejected: 'error',
    Cancelled: 'neutral',
    Superseded: 'neutral',
    Failed: 'error',
    Errored: 'error',
    Expired: 'neutral',
  } as const;

  it.each(promotionPhases)('%s has the designed tone', phase => {
    expect(phaseTone(phase)).toBe(expectedTone[phase]);
    expect(tones).toContain(phaseTone(phase));
  });

  it.each(promotionPhases)('%s has a label', phase => {
    expect(typeof phaseLabel(phase)).toBe('string');
    expect(phaseLabel(phase).length).toBeGreaterThan(0);
  });

  it('labels phases for people', () => {
    expect(phaseLabel('AwaitingApproval')).toBe('Awaiting approval');
    expect(phaseLabel('Promoted')).toBe('Promoted');
  });
});
