import { ladderConfigSchema, type LadderConfigInput } from '@khal/plugin-ladder-common';
import { entryGatesFor, requiresApproval } from './effectiveGates';

function ladder(prod: Record<string, unknown>) {
  const input = {
    ladders: [
      {
        id: 'khal',
        title: 'Khal',
        rungs: [
          { id: 'hml', title: 'HML', runtime: 'k3s', mutationPolicy: 'self' },
          {
            id: 'prod',
            title: 'Production',
            runtime: 'oke',
            mutationPolicy: 'approval',
            approvers: { groups: ['group:default/operators'], minimum: 2 },
            entryGates: ['previous-rung-proven', 'manifest-valid', 'rollback-plan', 'rollback-drill'],
            ...prod,
          },
        ],
      },
    ],
  } as LadderConfigInput;
  return ladderConfigSchema.parse(input).ladders[0];
}

const ids = (refs: Array<{ id: string }>) => refs.map(r => r.id);

describe('entry gates of a rollback', () => {
  it('runs the stated rollbackGates instead of the entry gates', () => {
    const prod = ladder({ rollbackGates: ['rollback-plan'] }).rungs[1];
    expect(ids(entryGatesFor(prod, 'rollback'))).toEqual(['rollback-plan', 'approval']);
    expect(ids(entryGatesFor(prod, 'promotion'))).toContain('rollback-drill');
  });

  it('bypass: an empty rollbackGates does not skip the rung approvers', () => {
    const prod = ladder({ rollbackGates: [] }).rungs[1];
    expect(ids(entryGatesFor(prod, 'rollback'))).toEqual(['approval']);
    expect(requiresApproval(prod, 'rollback')).toBe(true);
  });

  it('bypass: an operators rung whose entry gates name approval keeps it in a shortened rollback set', () => {
    const prod = ladder({ mutationPolicy: 'operators', rollbackGates: ['dry-run-clean'] }).rungs[1];
    expect(ids(entryGatesFor(prod, 'rollback'))).toEqual(['dry-run-clean']);
    const approving = ladder({
      mutationPolicy: 'operators',
      entryGates: ['previous-rung-proven', 'approval'],
      rollbackGates: ['dry-run-clean'],
    }).rungs[1];
    expect(ids(entryGatesFor(approving, 'rollback'))).toEqual(['dry-run-clean', 'approval']);
  });

  it('without rollbackGates, drops only previous-rung-proven from the entry gates', () => {
    const prod = ladder({}).rungs[1];
    expect(ids(entryGatesFor(prod, 'rollback'))).toEqual([
      'manifest-valid',
      'rollback-plan',
      'rollback-drill',
      'approval',
    ]);
  });

  it('refuses a rollback-drill gate on the first rung, saying where it belongs', () => {
    const result = ladderConfigSchema.safeParse({
      ladders: [
        {
          id: 'khal',
          title: 'Khal',
          rungs: [{ id: 'local', title: 'Local', runtime: 'pm2', mutationPolicy: 'self', rollbackGates: ['rollback-drill'] }],
        },
      ],
    });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain('the first rung has none');
  });

  it('refuses unknown keys in rollbackGates entries (strict config)', () => {
    expect(() => ladder({ rollbackGates: [{ id: 'rollback-plan', maxAge: 3 }] })).toThrow();
  });
});
