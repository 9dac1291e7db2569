/*
 * The mirror-parity proof check through the engine, on SQLite and PostgreSQL: a mirrored rung is
 * proven only when its mirror evidence carries the manifest and env-contract digests of the same
 * SHA proven on the rung it mirrors. Each bypass is a mirror that differs in one way.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { TestDatabases, mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { envContractText, parseLadderConfig, validateManifest } from '@khal/plugin-ladder-common';
import { builtinGates } from './builtinGates';
import { catalogEntities, createAppRepository, manifestText } from '../__testUtils__/ladderFixture';
import { callerFrom } from '../access/Caller';
import { createLadderServices } from '../service/createLadderServices';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const ENTITY = 'component:default/orders-api';
const alice = callerFrom(mockCredentials.user('user:default/alice'));
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

function digestsOf(text: string) {
  const result = validateManifest(JSON.parse(text));
  if (!result.ok) throw new Error('fixture manifest is invalid');
  return { manifestDigest: sha256(text), envContractDigest: sha256(envContractText(result.manifest)) };
}

describe.each(databases.eachSupportedId())('mirror-parity on %p', databaseId => {
  const repo = createAppRepository();
  const gateList = builtinGates({ dryRunMaxAgeMs: () => 24 * 3600 * 1000 });

  async function services() {
    const config = {
      localRepositoriesRoot: path.dirname(repo.dir),
      ladders: [
        {
          id: 'khal',
          title: 'Mirror',
          rungs: [
            {
              id: 'local',
              title: 'Local',
              runtime: 'pm2',
              mutationPolicy: 'self',
              proofChecks: [{ id: 'evidence', config: { kinds: ['build-output'] } }],
            },
            {
              id: 'mirrored',
              title: 'Mirrored dev-local',
              runtime: 'pm2-mirror',
              optional: true,
              mutationPolicy: 'self',
              proofChecks: [{ id: 'mirror-parity', config: { source: 'local' } }],
            },
          ],
        },
      ],
    };
    return createLadderServices({
      config: mockServices.rootConfig({ data: { ladder: config } }),
      ladderConfig: parseLadderConfig(config, { knownGateIds: gateList.map(g => g.id) }),
      logger: mockServices.logger.mock(),
      database: mockServices.database({ knex: await databases.init(databaseId) }),
      auth: mockServices.auth(),
      permissions: mockServices.permissions(),
      urlReader: mockServices.urlReader.mock(),
      catalog: catalogServiceMock({ entities: catalogEntities(path.basename(repo.dir)) }),
      gates: new Map(gateList.map(g => [g.id, g])),
      settingsSources: [],
      clusterState: () => undefined,
    });
  }

  type Services = Awaited<ReturnType<typeof services>>;
  const sha = () => repo.commits.a;

  async function provenOnLocal(s: Services) {
    await s.evidence.add(alice, {
      entityRef: ENTITY,
      rung: 'local',
      ref: sha(),
      kind: 'build-output',
      summary: 'built',
      content: 'ok',
      data: { exitCode: 0 },
    });
  }

  async function mirrorEvidence(s: Services, override: Record<string, unknown> = {}) {
    await s.evidence.add(alice, {
      entityRef: ENTITY,
      rung: 'mirrored',
      ref: sha(),
      kind: 'mirror',
      summary: 'mirror of a',
      data: {
        exitCode: 0,
        upstream: { remote: 'origin', url: 'https://git.example/orders.git', sha: sha() },
        mirror: { remote: 'mirror', url: 'ssh://git@gitea.local/orders.git', sha: sha() },
        hostAlias: 'gitea-mirror',
        ...digestsOf(manifestText()),
        ...override,
      },
    });
  }

  async function mirrorCheck(s: Services) {
    const target = await s.entities.load(ENTITY);
    const results = await s.engine.proveRung(target, 1, sha());
    return results.find(r => r.gateId === 'mirror-parity')!;
  }

  it('passes when the mirror carries the manifest and env contract proven on local for the SHA', async () => {
    const s = await services();
    await provenOnLocal(s);
    await mirrorEvidence(s);
    expect(await mirrorCheck(s)).toMatchObject({
      status: 'passed',
      summary: `gitea-mirror mirrors ${sha()} with the manifest and env contract proven on Local`,
    });
  });

  it('bypass: a mirror with a locally edited manifest (the digest of another commit) is not proven', async () => {
    const s = await services();
    await provenOnLocal(s);
    await mirrorEvidence(s, { manifestDigest: digestsOf(manifestText('Orders API v2')).manifestDigest });
    const check = await mirrorCheck(s);
    expect(check.status).toBe('failed');
    expect(check.summary).toMatch(/the mirror's manifest digest .* differs from Local's/);
    expect(check.howToFix).toMatch(/carry .* unchanged/);
  });

  it('bypass: a mirror whose env contract differs (an extra setting) is not proven', async () => {
    const s = await services();
    await provenOnLocal(s);
    const edited = JSON.parse(manifestText());
    edited.env.push({ name: 'EXTRA_FLAG', required: false });
    await mirrorEvidence(s, { envContractDigest: digestsOf(JSON.stringify(edited)).envContractDigest });
    expect((await mirrorCheck(s)).summary).toMatch(/env contract digest .* differs/);
  });

  it('bypass: a mirror that is behind (another SHA) is not proven', async () => {
    const s = await services();
    await provenOnLocal(s);
    await mirrorEvidence(s, { mirror: { remote: 'mirror', url: 'ssh://git@gitea.local/orders.git', sha: repo.commits.b } });
    const check = await mirrorCheck(s);
    expect(check.status).toBe('failed');
    expect(check.summary).toContain(`the mirror (mirror) is at ${repo.commits.b}, not ${sha()}`);
  });

  it('bypass: digests that match prove nothing while the SHA is not proven on local', async () => {
    const s = await services();
    await mirrorEvidence(s);
    const check = await mirrorCheck(s);
    expect(check.status).toBe('pending');
    expect(check.summary).toMatch(/is not proven on Local: .*; a mirror proves nothing the rung it mirrors did not/);
  });

  it('bypass: mirror evidence pushed by hand without the facts is not proof', async () => {
    const s = await services();
    await provenOnLocal(s);
    await s.evidence.add(alice, { entityRef: ENTITY, rung: 'mirrored', ref: sha(), kind: 'mirror', summary: 'trust me', content: 'synced' });
    const check = await mirrorCheck(s);
    expect(check.status).toBe('failed');
    expect(check.summary).toMatch(/does not say what the mirror carries \(.*manifestDigest/);
  });

  it('is pending without mirror evidence, saying which command records it', async () => {
    const s = await services();
    await provenOnLocal(s);
    expect(await mirrorCheck(s)).toMatchObject({
      status: 'pending',
      howToFix: expect.stringContaining('khal evidence mirror --target mirrored'),
    });
  });
});
