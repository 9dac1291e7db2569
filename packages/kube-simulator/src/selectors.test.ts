import {
  SelectorError,
  fromLabelSelectorObject,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
} from './selectors';

const labels = {
  app: 'web',
  tier: 'frontend',
  'backstage.io/kubernetes-id': 'web',
};
const match = (selector: string) =>
  matchesLabels(parseLabelSelector(selector), labels);

describe('label selectors', () => {
  it('matches equality and inequality', () => {
    expect(match('app=web')).toBe(true);
    expect(match('app==web')).toBe(true);
    expect(match('app=api')).toBe(false);
    expect(match('app!=api')).toBe(true);
    expect(match('missing!=x')).toBe(true);
    expect(match('backstage.io/kubernetes-id=web')).toBe(true);
  });

  it('matches set-based requirements', () => {
    expect(match('app in (web,api)')).toBe(true);
    expect(match('app in (api, worker)')).toBe(false);
    expect(match('app notin (api,worker)')).toBe(true);
    expect(match('missing notin (a)')).toBe(true);
    expect(match('tier in (frontend)')).toBe(true);
  });

  it('matches existence', () => {
    expect(match('app')).toBe(true);
    expect(match('!app')).toBe(false);
    expect(match('!missing')).toBe(true);
    expect(match('missing')).toBe(false);
  });

  it('ANDs comma-joined requirements, including inside set values', () => {
    expect(match('app=web,tier in (frontend,backend),!missing')).toBe(true);
    expect(match('app=web,tier notin (frontend,backend)')).toBe(false);
    expect(match('')).toBe(true);
  });

  it('rejects malformed selectors', () => {
    expect(() => parseLabelSelector('app in (web')).toThrow(SelectorError);
    expect(() => parseLabelSelector('a b c')).toThrow(SelectorError);
  });

  it('converts spec.selector objects', () => {
    const reqs = fromLabelSelectorObject({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['frontend'] },
        { key: 'x', operator: 'DoesNotExist' },
      ],
    });
    expect(matchesLabels(reqs, labels)).toBe(true);
  });
});

describe('field selectors', () => {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p1', namespace: 'ns1' },
    status: { phase: 'Running' },
  };
  it('matches metadata.name, metadata.namespace and other paths', () => {
    expect(matchesFields(parseFieldSelector('metadata.name=p1'), pod)).toBe(
      true,
    );
    expect(
      matchesFields(
        parseFieldSelector('metadata.namespace=ns1,metadata.name!=p2'),
        pod,
      ),
    ).toBe(true);
    expect(
      matchesFields(parseFieldSelector('metadata.namespace==ns2'), pod),
    ).toBe(false);
    expect(matchesFields(parseFieldSelector('status.phase=Running'), pod)).toBe(
      true,
    );
  });
  it('rejects malformed field selectors', () => {
    expect(() => parseFieldSelector('metadata.name')).toThrow(SelectorError);
  });
});
