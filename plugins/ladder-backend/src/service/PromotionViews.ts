import type { GateResult, Promotion } from '@khal/plugin-ladder-common';
import type { LadderStore } from '../database/LadderStore';
import type { PromotionRecord, StoredGateResult } from '../database/records';
import { requiresApproval } from '../gates/effectiveGates';
import { approvalStanding, membersByGroup } from '../approvals/approvalStanding';
import type { GroupMemberships } from './GroupMemberships';
import type { LadderEntities } from './LadderEntities';

/** A stored gate result in the API's shape. */
export function toGateResult(r: StoredGateResult): GateResult {
  const {
    promotionId: _p,
    rungId: _r,
    ref: _f,
    mode: _m,
    waitingFor: _w,
    ...result
  } = r;
  return result;
}

/** Turns stored promotions into the API's Promotion: gates, approvals and who may still approve. */
export class PromotionViews {
  constructor(
    private readonly deps: {
      store: LadderStore;
      memberships: GroupMemberships;
      entities: LadderEntities;
    },
  ) {}

  async one(record: PromotionRecord): Promise<Promotion> {
    return (await this.many([record]))[0];
  }

  async many(records: PromotionRecord[]): Promise<Promotion[]> {
    const ids = records.map(r => r.id);
    const [results, approvals] = await Promise.all([
      this.deps.store.listGateResults(ids),
      this.deps.store.listApprovals(ids),
    ]);
    return Promise.all(
      records.map(async record => {
        const own = results.filter(r => r.promotionId === record.id);
        const gates = [
          ...own.filter(r => r.mode === 'entry'),
          ...own.filter(r => r.mode === 'verify'),
        ].map(toGateResult);
        let decided: Promotion['approvals'] = approvals.filter(
          a => a.promotionId === record.id,
        );
        const rung = (await this.deps.entities.ladderOfPromotion(record))?.rungs.find(r => r.id === record.toRung);
        let approvalRequirement: Promotion['approvalRequirement'] = null;
        if (rung?.approvers && requiresApproval(rung, record.kind)) {
          const members = await membersByGroup(this.deps.memberships, rung.approvers.groups).catch(
            () => new Map<string, string[]>(),
          );
          // The same judgement the engine makes at decision time (from the membership cache here),
          // so people see which approvals count, towards which rule, and why the others do not.
          const standing = approvalStanding(decided, {
            approvers: rung.approvers,
            members,
            requester: record.requestedBy,
          });
          decided = standing.judged;
          approvalRequirement = {
            groups: rung.approvers.groups,
            minimum: rung.approvers.minimum,
            given: standing.matched.length,
            eligible: [...new Set(standing.rules.flatMap(r => r.eligible))].sort(),
            rules: standing.rules,
          };
        }
        return { ...record, gates, approvals: decided, approvalRequirement };
      }),
    );
  }
}
