import { parseLadderConfig } from '@khal/plugin-ladder-common';
import { createFreezeGate } from './freezeGate';
import { entryGatesFor } from './effectiveGates';

const config = parseLadderConfig({
  ladders: [
    {
      id: 'khal',
      title: 'Khal',
      freezes: [{ from: '2026-12-24T00:00:00-03:00', to: '2026-12-26T00:00:00-03:00', reason: 'Christmas' }],
      rungs: [
        { id: 'dev', title: 'Shared dev', runtime: 'kind', mutationPolicy: 'self' },
        {
          id: 'prod',
          title: 'Production',
          runtime: 'oke',
          mutationPolicy: 'self',
          freezes: [{ from: '2026-12-20T18:00:00-03:00', to: '2027-01-04T09:00:00-03:00', reason: 'year-end freeze' }],
        },
      ],
    },
    { id: 'plain', title: 'Plain', rungs: [{ id: 'a', title: 'A', runtime: 'pm2', mutationPolicy: 'self' }] },
  ],
});
const ladder = config.ladders[0];
const [dev, prod] = ladder.rungs;
const at = (iso: string) => createFreezeGate(() => new Date(iso));
const evaluate = (iso: string, rung = prod) => at(iso).evaluate({ ladder, rung } as any);

describe('the freeze gate', () => {
  it('blocks from the first instant of a freeze, saying why, until when and how long that is', async () => {
    expect(await evaluate('2026-12-20T21:00:00Z')).toMatchObject({
      status: 'failed',
      summary: 'Production is frozen until 2027-01-04T09:00:00-03:00 (in 14 d 15 h): year-end freeze',
      howToFix: expect.stringMatching(/wait until 2027-01-04T09:00:00-03:00: .* change rung "prod" freezes in the ladder config/),
      waitingFor: 'the freeze to end at 2027-01-04T09:00:00-03:00',
    });
  });

  it('lets a promotion through one second before the freeze and at its end, naming the next freeze', async () => {
    expect(await evaluate('2026-12-20T20:59:59Z')).toMatchObject({
      status: 'passed',
      summary: 'not frozen now; next freeze from 2026-12-20T18:00:00-03:00 to 2027-01-04T09:00:00-03:00 (in 1 s): year-end freeze',
    });
    expect(await evaluate('2027-01-04T12:00:00Z')).toMatchObject({ status: 'passed', summary: 'no freeze in force' });
    expect(await evaluate('2027-01-04T11:59:59Z')).toMatchObject({ status: 'failed', summary: expect.stringMatching(/in 1 s/) });
  });

  it('applies a ladder freeze to every rung, the one that ends last winning when two overlap', async () => {
    expect(await evaluate('2026-12-24T12:00:00Z', dev)).toMatchObject({
      status: 'failed',
      summary: 'ladder khal is frozen until 2026-12-26T00:00:00-03:00 (in 1 d 15 h): Christmas',
    });
    expect(await evaluate('2026-12-24T12:00:00Z')).toMatchObject({ summary: expect.stringMatching(/until 2027-01-04T09:00:00-03:00/) });
  });

  it('is implied by a configured freeze for promotions, never for rollbacks, and absent without freezes', () => {
    expect(entryGatesFor(prod, 'promotion', ladder).map(g => g.id)).toEqual(['freeze']);
    expect(entryGatesFor(dev, 'promotion', ladder).map(g => g.id)).toEqual(['freeze']);
    expect(entryGatesFor(prod, 'rollback', ladder).map(g => g.id)).toEqual([]);
    const plain = config.ladders[1];
    expect(entryGatesFor(plain.rungs[0], 'promotion', plain)).toEqual([]);
  });
});
