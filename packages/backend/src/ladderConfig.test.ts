import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import request from 'supertest';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { parseLadderConfig } from '@khal/plugin-ladder-common';
import ladderPlugin from '@khal/plugin-ladder-backend';
import ladderKubernetesModule from '@khal/plugin-ladder-backend-module-kubernetes';

// Starting backends and databases is slow on a loaded 2-core CI machine.
jest.setTimeout(60_000);

const appConfig = parse(
  fs.readFileSync(path.resolve(__dirname, '../../../app-config.yaml'), 'utf8'),
);

function brokenLadder(mutate: (ladder: any) => void) {
  const ladder = structuredClone(appConfig.ladder);
  mutate(ladder);
  return ladder;
}

async function startWith(ladder: any) {
  return startTestBackend({
    features: [
      ladderPlugin,
      ladderKubernetesModule,
      mockServices.rootConfig.factory({ data: { ladder } }),
    ],
  });
}

describe('the portal ladder configuration', () => {
  it('declares the khal, parity and environment-factory ladders, and they validate', () => {
    const config = parseLadderConfig(appConfig.ladder);
    expect(config.ladders.map(l => [l.id, l.rungs.map(r => r.id)])).toEqual([
      ['khal', ['local', 'mirrored', 'dev', 'hml', 'prod']],
      ['parity', ['compose', 'kind', 'platform_control']],
      // vm-105 is its own track (the environment factory), not a rung between kind and platform_control.
      ['environment-factory', ['vm-105']],
    ]);
  });

  it('starts the ladder backend with it, which serves every ladder', async () => {
    const backend = await startWith(appConfig.ladder);
    try {
      const res = await request(backend.server)
        .get('/api/ladder/ladders')
        .set('authorization', mockCredentials.user.header());
      expect(res.status).toBe(200);
      expect(res.body.items.map((l: { id: string }) => l.id)).toEqual([
        'khal',
        'parity',
        'environment-factory',
      ]);
    } finally {
      await backend.stop();
    }
  });

  it.each([
    [
      'an unknown gate id',
      (l: any) => {
        l.ladders[0].rungs[2].entryGates[3] = 'dry-run-clen';
      },
      'ladder.ladders[0].rungs[2].entryGates[3]: unknown gate "dry-run-clen"',
    ],
    [
      'a duplicate rung id',
      (l: any) => {
        l.ladders[1].rungs[1].id = 'compose';
      },
      'ladder.ladders[1].rungs[1].id: duplicate rung id "compose"',
    ],
    [
      'a missing title',
      (l: any) => {
        delete l.ladders[0].rungs[3].title;
      },
      'ladder.ladders[0].rungs[3].title: is required',
    ],
  ])(
    'refuses to start with %s, naming the config path',
    async (_, mutate, message) => {
      await expect(startWith(brokenLadder(mutate))).rejects.toThrow(message);
    },
  );
});
