import {
  GateStatus,
  RungConditions,
  deriveRungStatus,
  gateStatusTone,
  rungStatusLabel,
  rungStatusTone,
  rungStatuses,
} from './rungStatus';

const tones = ['neutral', 'info', 'progress', 'warning', 'success', 'error'];
const placed = { placedRef: 'abc123' };

describe('deriveRungStatus, step by step', () => {
  it('1: an unreachable cluster is unknown, with the cluster reason', () => {
    expect(
      deriveRungStatus({
        ...placed,
        clusterReachable: false,
        clusterReason: 'cluster "hml" timed out after 5s',
        proofResults: [],
      }),
    ).toEqual({
      status: 'unknown',
      reason: 'cluster "hml" timed out after 5s',
    });
  });

  it('1: an unreachable cluster without a reason still explains itself', () => {
    const result = deriveRungStatus({
      clusterReachable: false,
      proofResults: [],
    });
    expect(result.status).toBe('unknown');
    expect(result.reason).toMatch(/could not be reached/);
  });

  it.each([null, undefined, ''])(
    '2: no placed ref (%p) and nothing running is empty',
    ref => {
      expect(
        deriveRungStatus({ placedRef: ref, proofResults: [] }).status,
      ).toBe('empty');
      expect(
        deriveRungStatus({ placedRef: ref, runningRef: null }).status,
      ).toBe('empty');
    },
  );

  it('2: no placed ref but something running is drifted', () => {
    expect(
      deriveRungStatus({
        placedRef: null,
        runningRef: 'def456',
        proofResults: [],
      }),
    ).toEqual({
      status: 'drifted',
      reason: 'the cluster runs def456 but the ladder placed nothing here',
    });
  });

  it('3: the cluster running another ref than placed is drifted', () => {
    expect(
      deriveRungStatus({ ...placed, runningRef: 'def456', proofResults: [] }),
    ).toEqual({
      status: 'drifted',
      reason: 'the cluster runs def456 but the ladder placed abc123 here',
    });
  });

  it.each([null, undefined, ''])(
    '3: a cluster reporting no ref (%p) is not drift',
    ref => {
      expect(
        deriveRungStatus({
          ...placed,
          runningRef: ref,
          proofResults: [{ status: 'passed' }],
        }).status,
      ).toBe('proven');
    },
  );

  it('placed: proof checks not evaluated yet', () => {
    const result = deriveRungStatus({ ...placed, runningRef: 'abc123' });
    expect(result.status).toBe('placed');
    expect(result.reason).toMatch(/not been evaluated/);
  });

  it.each<GateStatus>(['failed', 'error'])(
    '4: a proof that is %s makes the rung failed',
    s => {
      expect(
        deriveRungStatus({
          ...placed,
          proofResults: [
            { status: 'passed', summary: 'manifest valid' },
            { status: s, summary: 'rollout exceeded its 600s deadline' },
            { status: 'failed', summary: 'second failure' },
          ],
        }),
      ).toEqual({
        status: 'failed',
        reason: 'rollout exceeded its 600s deadline',
      });
    },
  );

  it('4: a failing proof without a summary still explains itself', () => {
    const result = deriveRungStatus({
      ...placed,
      proofResults: [{ status: 'failed' }],
    });
    expect(result).toEqual({
      status: 'failed',
      reason: expect.stringMatching(/failed/),
    });
  });

  it('5: a pending proof makes the rung proving', () => {
    expect(
      deriveRungStatus({
        ...placed,
        proofResults: [
          { status: 'passed' },
          { status: 'pending', summary: '1/3 replicas ready' },
        ],
      }),
    ).toEqual({ status: 'proving', reason: '1/3 replicas ready' });
    expect(
      deriveRungStatus({
        ...placed,
        proofResults: [{ status: 'passed' }, { status: 'pending' }],
      }).reason,
    ).toBe('waiting for 1 proof check of 2');
  });

  it('6: all proofs passed is proven', () => {
    expect(
      deriveRungStatus({
        ...placed,
        runningRef: 'abc123',
        proofResults: [{ status: 'passed' }, { status: 'passed' }],
      }),
    ).toEqual({ status: 'proven', reason: 'abc123 passed all 2 proof checks' });
  });

  it('bypass: a rung with no proof checks is unverified, never proven', () => {
    expect(deriveRungStatus({ ...placed, proofResults: [] })).toEqual({
      status: 'unverified',
      reason: 'abc123 is placed, but this rung has no proof checks: nothing observed that it works',
    });
  });
});

describe('deriveRungStatus precedence', () => {
  const everythingWrong: RungConditions = {
    clusterReachable: false,
    clusterReason: 'unreachable',
    placedRef: 'abc123',
    runningRef: 'def456',
    proofResults: [
      { status: 'failed', summary: 'broken' },
      { status: 'pending' },
    ],
  };

  it('unknown beats drifted', () => {
    expect(deriveRungStatus(everythingWrong).status).toBe('unknown');
  });

  it('unknown beats empty', () => {
    expect(deriveRungStatus({ clusterReachable: false }).status).toBe(
      'unknown',
    );
  });

  it('drifted beats failed', () => {
    expect(
      deriveRungStatus({ ...everythingWrong, clusterReachable: true }).status,
    ).toBe('drifted');
  });

  it('drifted beats not-yet-evaluated', () => {
    expect(
      deriveRungStatus({ placedRef: 'abc123', runningRef: 'def456' }).status,
    ).toBe('drifted');
  });

  it('failed beats pending', () => {
    expect(
      deriveRungStatus({
        ...everythingWrong,
        clusterReachable: true,
        runningRef: 'abc123',
      }),
    ).toEqual({ status: 'failed', reason: 'broken' });
  });

  it('a deploy in flight is "deploying", not drift: the cluster already runs the commit being deployed', () => {
    expect(
      deriveRungStatus({
        placedRef: 'abc123',
        runningRef: 'def456',
        deployingRef: 'def456',
      }),
    ).toEqual({
      status: 'deploying',
      reason:
        'def456 is being deployed; the rung changes once that is observed (placed now: abc123)',
    });
    expect(
      deriveRungStatus({ placedRef: null, deployingRef: 'def456' }).status,
    ).toBe('deploying');
  });

  it('drifted beats deploying when the cluster runs neither the placed nor the deploying commit', () => {
    expect(
      deriveRungStatus({
        placedRef: 'abc123',
        runningRef: 'bad999',
        deployingRef: 'def456',
      }).status,
    ).toBe('drifted');
  });

  it('unknown beats deploying', () => {
    expect(
      deriveRungStatus({ ...everythingWrong, deployingRef: 'def456' }).status,
    ).toBe('unknown');
  });

  it('a reachable non-Kubernetes rung (clusterReachable undefined) is judged by its proofs', () => {
    expect(
      deriveRungStatus({
        placedRef: 'abc123',
        proofResults: [{ status: 'pending' }],
      }).status,
    ).toBe('proving');
  });
});

describe('rung status tone and label', () => {
  it.each(rungStatuses)('%s has a tone and a label', s => {
    expect(tones).toContain(rungStatusTone(s));
    expect(rungStatusLabel(s).length).toBeGreaterThan(0);
  });

  it('colours the statuses that need attention', () => {
    expect(rungStatusTone('proven')).toBe('success');
    expect(rungStatusTone('unverified')).not.toBe('success');
    expect(rungStatusLabel('unverified')).toBe('Unverified');
    expect(rungStatusTone('failed')).toBe('error');
    expect(rungStatusTone('drifted')).toBe('warning');
    expect(rungStatusTone('proving')).toBe('progress');
  });

  it.each<GateStatus>(['passed', 'failed', 'pending', 'error'])(
    'gate status %s has a tone',
    s => {
      expect(tones).toContain(gateStatusTone(s));
    },
  );
});
