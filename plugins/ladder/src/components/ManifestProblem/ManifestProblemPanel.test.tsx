import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import { createExtensionTester } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { MANIFEST_PROBLEM_ANNOTATION } from '@khal/plugin-ladder-common';
import { enrolledEntity } from '../../__testUtils__/fixtures';
import { manifestProblemEntityCard } from '../../alpha/plugin';
import { ManifestProblemPanel, hasManifestProblem } from './ManifestProblemPanel';

const PROBLEM =
  'khal-app.json of component:default/orders-api (commit abc123): $.env[0].name: "database_url" is not UPPER_SNAKE — fix: rename it DATABASE_URL';
const broken = {
  ...enrolledEntity,
  metadata: {
    ...enrolledEntity.metadata,
    annotations: { ...enrolledEntity.metadata.annotations, [MANIFEST_PROBLEM_ANNOTATION]: PROBLEM },
  },
};

describe('the manifest problem on the entity page', () => {
  it('shows what the catalog found, and that promotions are blocked until it is fixed', async () => {
    await renderInTestApp(
      <EntityProvider entity={broken}>
        <ManifestProblemPanel />
      </EntityProvider>,
    );
    expect(screen.getByRole('alert')).toHaveTextContent("The catalog could not use this entity's khal-app.json");
    expect(screen.getByText(PROBLEM)).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('blocked by the manifest-valid check');
  });

  it('is on the overview of exactly the entities with a problem (new frontend system card filter)', () => {
    const filter = createExtensionTester(manifestProblemEntityCard).get(EntityCardBlueprint.dataRefs.filterFunction);
    expect(filter?.(broken)).toBe(true);
    expect(filter?.(enrolledEntity)).toBe(false);
    expect(hasManifestProblem(broken)).toBe(true);
    expect(hasManifestProblem(enrolledEntity)).toBe(false);
  });

  it('renders nothing for an entity whose manifest is fine', async () => {
    await renderInTestApp(
      <EntityProvider entity={enrolledEntity}>
        <ManifestProblemPanel />
      </EntityProvider>,
    );
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
