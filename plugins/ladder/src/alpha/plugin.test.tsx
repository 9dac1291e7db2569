import { createExtensionTester } from '@backstage/frontend-test-utils';
import { EntityCardBlueprint, EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { coreExtensionData } from '@backstage/frontend-plugin-api';
import { enrolledEntity, plainEntity } from '../__testUtils__/fixtures';
import ladderPluginDefault from './index';
import { ladderEntityCard, ladderEntityContent, ladderPage } from './plugin';

describe('ladder plugin (new frontend system)', () => {
  it('is the default export with the id "ladder"', () => {
    expect(ladderPluginDefault.id).toBe('ladder');
  });

  it('shows the card only on entities that carry the khal.ai/ladder annotation', () => {
    const tester = createExtensionTester(ladderEntityCard);
    const filter = tester.get(EntityCardBlueprint.dataRefs.filterFunction);
    expect(filter?.(enrolledEntity)).toBe(true);
    expect(filter?.(plainEntity)).toBe(false);
  });

  it('adds a "Ladder" tab at "ladder" with the same filter', () => {
    const tester = createExtensionTester(ladderEntityContent);
    expect(tester.get(coreExtensionData.routePath)).toBe('ladder');
    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe('Ladder');
    const filter = tester.get(EntityContentBlueprint.dataRefs.filterFunction);
    expect(filter?.(enrolledEntity)).toBe(true);
    expect(filter?.(plainEntity)).toBe(false);
  });

  it('mounts the ladder page at /ladder with a title for the nav', () => {
    const tester = createExtensionTester(ladderPage);
    expect(tester.get(coreExtensionData.routePath)).toBe('/ladder');
    expect(tester.get(coreExtensionData.title)).toBe('Ladder');
  });
});
