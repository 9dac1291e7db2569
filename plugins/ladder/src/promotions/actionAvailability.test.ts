import { approveAvailability, cancelAvailability } from './actionAvailability';
import { ALICE, OLGA, SAM, openPromotion } from '../__testUtils__/fixtures';

const user = (userEntityRef: string) => ({ userEntityRef, ownershipEntityRefs: [userEntityRef] });
const allowAll = { approve: true, cancel: true, recheck: true, create: true, evidence: true };

describe('approveAvailability', () => {
  it('lets an eligible approver approve', () => {
    expect(approveAvailability(openPromotion, user(SAM), allowAll)).toEqual({ allowed: true });
  });

  it('never lets the requester approve', () => {
    expect(approveAvailability(openPromotion, user(ALICE), allowAll)).toEqual({
      allowed: false,
      reason: 'you requested this promotion; another approver is needed',
    });
  });

  it('names the approver groups to someone outside them', () => {
    expect(approveAvailability(openPromotion, user(OLGA), allowAll).reason).toBe(
      'only members of customer-stakeholders can approve',
    );
  });

  it('names the missing permission', () => {
    expect(approveAvailability(openPromotion, user(SAM), { ...allowAll, approve: false }).reason).toBe(
      'you lack permission ladder.promotion.approve',
    );
  });

  it('refuses decisions on a finished promotion', () => {
    const done = { ...openPromotion, phase: 'Promoted' as const };
    expect(approveAvailability(done, user(SAM), allowAll).reason).toMatch(/promoted/);
    expect(cancelAvailability(done, allowAll).allowed).toBe(false);
  });

  it('does not count the same person twice', () => {
    const decided = {
      ...openPromotion,
      approvals: [{ id: 'ap', promotionId: 'p-1', approver: SAM, decision: 'approve' as const, comment: '', createdAt: '' }],
    };
    expect(approveAvailability(decided, user(SAM), allowAll).reason).toBe(
      'you already decided on this promotion',
    );
  });
});
