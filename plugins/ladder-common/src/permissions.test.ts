import { isResourcePermission, Permission } from '@backstage/plugin-permission-common';
import {
  auditReadPermission,
  badCommitCreatePermission,
  evidenceCreatePermission,
  linePausePermission,
  ladderEntityReadPermission,
  ladderPermissions,
  ladderReadPermission,
  promotionApprovePermission,
  promotionCancelPermission,
  promotionCreatePermission,
  promotionDeployPermission,
  promotionRecheckPermission,
  promotionBreakGlassPermission,
  ladderReplayPermission,
} from './permissions';

describe('ladder permissions', () => {
  const all = [
    ladderReadPermission,
    ladderEntityReadPermission,
    promotionCreatePermission,
    promotionApprovePermission,
    promotionCancelPermission,
    promotionRecheckPermission,
    promotionDeployPermission,
    evidenceCreatePermission,
    auditReadPermission,
    linePausePermission,
    badCommitCreatePermission,
    promotionBreakGlassPermission,
    ladderReplayPermission,
  ];

  it('lists every permission in ladderPermissions', () => {
    expect(ladderPermissions).toHaveLength(all.length);
    for (const p of all) expect(ladderPermissions).toContain(p);
  });

  it('has unique names under the ladder. prefix', () => {
    const names = ladderPermissions.map(p => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^ladder\.[a-z]+\.[a-z]+$/);
  });

  it('makes every permission but the overview, stop-the-line and replay ones a catalog-entity resource permission', () => {
    // These span many entities: the overview lists them, a pause of a ladder or rung covers them,
    // the replay check rebuilds every entity's history.
    const basic: Permission[] = [ladderReadPermission, linePausePermission, ladderReplayPermission];
    for (const p of basic) expect(isResourcePermission(p)).toBe(false);
    for (const p of ladderPermissions.filter(x => !basic.includes(x))) {
      expect(isResourcePermission(p, 'catalog-entity')).toBe(true);
    }
  });

  it.each([
    [ladderReadPermission, 'ladder.ladder.read', 'read'],
    [ladderEntityReadPermission, 'ladder.entity.read', 'read'],
    [promotionCreatePermission, 'ladder.promotion.create', 'create'],
    [promotionApprovePermission, 'ladder.promotion.approve', 'update'],
    [promotionCancelPermission, 'ladder.promotion.cancel', 'update'],
    [promotionRecheckPermission, 'ladder.promotion.recheck', 'update'],
    [promotionDeployPermission, 'ladder.promotion.deploy', 'update'],
    [evidenceCreatePermission, 'ladder.evidence.create', 'create'],
    [auditReadPermission, 'ladder.audit.read', 'read'],
    [linePausePermission, 'ladder.line.pause', 'update'],
    [badCommitCreatePermission, 'ladder.badcommit.create', 'create'],
  ] as const)(
    '%#: %o is named and typed as designed',
    (permission, name, action) => {
      expect(permission.name).toBe(name);
      expect(permission.attributes.action).toBe(action);
    },
  );
});
