import { PromotionPhase, isTerminal, promotionPhases } from './phase';
import {
  PromotionEvent,
  allowedEvents,
  nextPhase,
  openPhases,
  phaseTransitions,
  promotionEvents,
} from './transitions';

/**
 * The table from the design, written out by hand so that the test does not share a single
 * line with the implementation it checks.
 */
const expected: Partial<
  Record<PromotionPhase, Partial<Record<PromotionEvent, PromotionPhase>>>
> = {
  Checking: {
    'gates-blocked': 'Blocked',
    'gates-passed-awaiting-approval': 'AwaitingApproval',
    'gates-passed': 'Approved',
    rejected: 'Rejected',
    cancel: 'Cancelled',
    supersede: 'Superseded',
    error: 'Errored',
    expire: 'Expired',
  },
  Blocked: {
    recheck: 'Checking',
    'gates-blocked': 'Blocked',
    'gates-passed-awaiting-approval': 'AwaitingApproval',
    'gates-passed': 'Approved',
    rejected: 'Rejected',
    cancel: 'Cancelled',
    supersede: 'Superseded',
    error: 'Errored',
    expire: 'Expired',
  },
  AwaitingApproval: {
    'approval-quorum-met': 'Approved',
    'gates-regressed': 'Blocked',
    recheck: 'AwaitingApproval',
    rejected: 'Rejected',
    cancel: 'Cancelled',
    supersede: 'Superseded',
    error: 'Errored',
    expire: 'Expired',
  },
  Approved: {
    claim: 'Deploying',
    verify: 'Verifying',
    verified: 'Promoted',
    cancel: 'Cancelled',
    supersede: 'Superseded',
    error: 'Errored',
    expire: 'Expired',
  },
  Deploying: {
    'deploy-failed': 'Failed',
    verified: 'Promoted',
    recheck: 'Deploying',
    'verification-failed': 'Failed',
    error: 'Errored',
  },
  Verifying: {
    verified: 'Promoted',
    recheck: 'Verifying',
    'verification-failed': 'Failed',
    supersede: 'Superseded',
    error: 'Errored',
  },
};

const pairs = promotionPhases.flatMap(phase =>
  promotionEvents.map(
    event => [phase, event, expected[phase]?.[event]] as const,
  ),
);

/** [phase, event, target or 'refused', the exact result expected from nextPhase]. */
const everyPair = pairs.map(
  ([phase, event, to]) =>
    [
      phase,
      event,
      to ?? 'refused',
      to
        ? { ok: true, phase: to }
        : { ok: false, reason: expect.stringContaining(`"${phase}"`) },
    ] as const,
);

describe('nextPhase', () => {
  it('covers every phase × event pair', () => {
    expect(pairs).toHaveLength(13 * 16);
  });

  // 208 cases, one per pair: the allowed ones name their target, the refused ones `refused`.
  it.each(everyPair)('%s --%s--> %s', (phase, event, _to, expectedResult) => {
    expect(nextPhase(phase, event)).toEqual(expectedResult);
  });

  it.each(pairs.filter(([, , to]) => !to))(
    'refusing %s --%s--> gives a sentence a person can act on',
    (phase, event) => {
      const result = nextPhase(phase, event);
      const reason = result.ok ? '' : result.reason;
      expect(reason).toMatch(/^(cannot |a promotion in phase )/);
      expect(reason).not.toMatch(/undefined|%/);
      expect(reason.length).toBeGreaterThan(30);
    },
  );

  it.each(promotionPhases.filter(p => isTerminal(p)))(
    '%s refuses every event',
    phase => {
      const results = promotionEvents.map(event => nextPhase(phase, event));
      expect(results).toEqual(
        promotionEvents.map(() => ({
          ok: false,
          reason: expect.stringMatching(/is finished; it cannot be /),
        })),
      );
    },
  );

  it('tells how to undo a promotion that is already done', () => {
    expect(nextPhase('Promoted', 'cancel')).toEqual({
      ok: false,
      reason:
        'a promotion in phase "Promoted" is finished; it cannot be cancelled. Start a rollback instead.',
    });
  });

  it('tells what to do before a blocked promotion can be approved', () => {
    expect(nextPhase('Blocked', 'approval-quorum-met')).toEqual({
      ok: false,
      reason:
        'cannot approve a promotion that is "Blocked": its gates must pass first (re-check it after adding the missing evidence)',
    });
  });

  it('refuses a second claim of the same approval (a claim is used once)', () => {
    expect(nextPhase('Deploying', 'claim')).toEqual({
      ok: false,
      reason: expect.stringContaining('a claim is used once'),
    });
    expect(nextPhase('Deploying', 'cancel')).toEqual({
      ok: false,
      reason: expect.stringMatching(/rollback/),
    });
  });

  it('refuses to cancel a promotion whose rung was already changed', () => {
    const result = nextPhase('Verifying', 'cancel');
    expect(result).toEqual({
      ok: false,
      reason: expect.stringMatching(/rollback/),
    });
  });
});

describe('phaseTransitions', () => {
  it('lists exactly the table, each edge once', () => {
    const listed = phaseTransitions
      .map(t => `${t.from} --${t.event}--> ${t.to}`)
      .sort();
    const table = pairs
      .filter(([, , to]) => to)
      .map(([f, e, to]) => `${f} --${e}--> ${to}`);
    expect(listed).toEqual(table.sort());
    expect(new Set(listed).size).toBe(listed.length);
  });

  it('has no edge out of a terminal phase', () => {
    expect(phaseTransitions.filter(t => isTerminal(t.from))).toEqual([]);
  });

  it('reaches every phase from Checking', () => {
    const seen = new Set<PromotionPhase>(['Checking']);
    let grew = true;
    while (grew) {
      grew = false;
      for (const t of phaseTransitions) {
        if (seen.has(t.from) && !seen.has(t.to)) {
          seen.add(t.to);
          grew = true;
        }
      }
    }
    expect([...seen].sort()).toEqual([...promotionPhases].sort());
  });
});

describe('allowedEvents', () => {
  it.each(promotionPhases)('lists what %s accepts', phase => {
    expect(allowedEvents(phase).sort()).toEqual(
      Object.keys(expected[phase] ?? {}).sort(),
    );
  });
});

describe('openPhases', () => {
  it('is every non-terminal phase', () => {
    expect(openPhases().sort()).toEqual(
      [
        'Checking',
        'Blocked',
        'AwaitingApproval',
        'Approved',
        'Deploying',
        'Verifying',
      ].sort(),
    );
  });

  it('returns a copy callers may change', () => {
    openPhases().push('Promoted');
    expect(openPhases()).not.toContain('Promoted');
  });
});
