import type { AuditRecord } from '../database/records';
import { entitySamples } from './DeliveryInsights';

const E = 'component:default/shop';
let id = 0;
const at = (minutes: number) =>
  new Date(Date.UTC(2026, 11, 1, 0, minutes)).toISOString();
const row = (
  minutes: number,
  r: Partial<AuditRecord> & { rung?: string; ref?: string; via?: string },
): AuditRecord => ({
  id: String(++id),
  entityRef: E,
  promotionId: r.promotionId ?? null,
  action: r.action ?? 'promotion.recheck',
  actor: 'user:default/alice',
  fromPhase: r.fromPhase ?? null,
  toPhase: r.toPhase ?? null,
  detail: {
    ...(r.rung ? { rung: r.rung } : {}),
    ...(r.ref ? { ref: r.ref } : {}),
    ...(r.via ? { via: r.via } : {}),
  },
  createdAt: at(minutes),
});
const placed = (
  minutes: number,
  rung: string,
  ref: string,
  via = 'promotion',
) => row(minutes, { action: 'placement.moved', rung, ref, via });

describe('delivery insights of one entity', () => {
  it('measures lead time from first placement to the top rung, waits, failures and restores', () => {
    const rows = [
      placed(0, 'local', 'a', 'enrollment'),
      placed(10, 'dev', 'a'),
      row(20, {
        promotionId: 'p1',
        rung: 'prod',
        fromPhase: 'Checking',
        toPhase: 'AwaitingApproval',
      }),
      row(80, {
        promotionId: 'p1',
        rung: 'prod',
        fromPhase: 'AwaitingApproval',
        toPhase: 'Approved',
      }),
      placed(90, 'prod', 'a'),
      // b fails on dev at 100 and is restored by the next placement there at 130.
      row(100, {
        promotionId: 'p2',
        rung: 'dev',
        fromPhase: 'Verifying',
        toPhase: 'Failed',
      }),
      placed(130, 'dev', 'c'),
      // A rollback asked for on prod at 200, placed at 205.
      row(200, {
        action: 'rollback.requested',
        promotionId: 'p3',
        rung: 'prod',
        ref: 'a',
      }),
      placed(205, 'prod', 'a', 'rollback'),
      // A failure not yet restored.
      row(300, {
        promotionId: 'p4',
        rung: 'hml',
        fromPhase: 'Deploying',
        toPhase: 'Errored',
      }),
    ];
    const first = new Map([[`${E} a`, at(0)]]);
    const s = entitySamples(rows, 'prod', first);
    // a reached prod at 90 and again (rollback) at 205, both measured from its enrolment.
    expect(s.leadTimes).toEqual([90 * 60, 205 * 60]);
    expect(Object.fromEntries(s.deployments)).toEqual({ dev: 2, prod: 2 });
    // Changes: 4 placements + 2 failed promotions; failures: 2 failed + 1 rollback.
    expect(s.changes).toBe(6);
    expect(s.failures).toBe(3);
    expect(s.restores).toEqual([30 * 60, 5 * 60]);
    expect(s.unrestored).toBe(1);
    expect(s.approvalWaits).toEqual([60 * 60]);
  });

  it('claims nothing it did not see: no top-rung placement, no lead time; an unknown first placement, none either', () => {
    const s = entitySamples([placed(5, 'dev', 'x')], 'prod', new Map());
    expect(s.leadTimes).toEqual([]);
    const t = entitySamples([placed(5, 'prod', 'x')], 'prod', new Map());
    expect(t.leadTimes).toEqual([]);
    expect(t.changes).toBe(1);
  });
});
