import { parseLadderConfig } from '@khal/plugin-ladder-common';
import { entityLadderSummary, ladderSummary } from './rungSummary';

const config = parseLadderConfig({
  ladders: [
    {
      id: 'parity',
      title: 'Parity',
      rungs: [
        {
          id: 'kind',
          title: 'Kind',
          runtime: 'kind',
          mutationPolicy: 'self',
          boundary: { useFor: ['manifests'], mustNotBe: ['shared'] },
          endpoints: [{ name: 'app', url: 'http://{{entity.name}}.kind.local' }],
          lifecycle: {
            status: 'kubectl -n parity-{{entity.name}} rollout status deploy/{{kubernetesId}}',
            validate: [
              {
                title: 'Ingress',
                checks: 'ingress',
                run: 'curl -f http://{{entity.name}}.kind.local/healthz',
                howToFix: 'add an Ingress',
              },
            ],
          },
        },
      ],
    },
  ],
});
const ladder = config.ladders[0];

describe('rung summaries with lifecycle, endpoints and boundary', () => {
  it('shows the configured templates on the ladder definitions', () => {
    const [rung] = ladderSummary(ladder).rungs;
    expect(rung.boundary).toEqual({ useFor: ['manifests'], mustProvide: [], mustNotBe: ['shared'] });
    expect(rung.lifecycle?.validate).toEqual([
      {
        title: 'Ingress',
        checks: 'ingress',
        run: 'curl -f http://{{entity.name}}.kind.local/healthz',
        howToFix: 'add an Ingress',
      },
    ]);
  });

  it('renders them for an entity, leaving what it cannot fill visible as <placeholder>', () => {
    const [rung] = entityLadderSummary(ladder, () => ({ 'entity.name': 'orders-api' })).rungs;
    expect(rung.endpoints).toEqual([{ name: 'app', url: 'http://orders-api.kind.local' }]);
    expect(rung.lifecycle?.status).toEqual([
      {
        title: 'kubectl -n parity-orders-api rollout status deploy/<kubernetesId>',
        run: 'kubectl -n parity-orders-api rollout status deploy/<kubernetesId>',
      },
    ]);
    expect(rung.lifecycle?.validate?.[0].run).toBe('curl -f http://orders-api.kind.local/healthz');
  });

  it('adds nothing to a rung that declares none of them', () => {
    const plain = parseLadderConfig({
      ladders: [{ id: 'l', title: 'L', rungs: [{ id: 'a', title: 'A', runtime: 'pm2', mutationPolicy: 'self' }] }],
    });
    const [rung] = ladderSummary(plain.ladders[0]).rungs;
    expect(rung).not.toHaveProperty('lifecycle');
    expect(rung).not.toHaveProperty('endpoints');
    expect(rung).not.toHaveProperty('boundary');
  });
});
