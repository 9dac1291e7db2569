import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { TemplateAction } from '@backstage/plugin-scaffolder-node';
import scaffolderModuleKhal from './index';

// Starting backends and databases is slow on a loaded 2-core CI machine.
jest.setTimeout(60_000);

/** Paths of object properties in a JSON schema that carry no description. */
function undescribed(schema: any, at: string): string[] {
  const missing: string[] = [];
  for (const [key, property] of Object.entries<any>(schema?.properties ?? {})) {
    if (!property.description) missing.push(`${at}.${key}`);
    missing.push(...undescribed(property, `${at}.${key}`));
    if (property.items)
      missing.push(...undescribed(property.items, `${at}.${key}[]`));
  }
  return missing;
}

describe('scaffolderModuleKhal', () => {
  it('registers the khal:* actions with the scaffolder', async () => {
    const actions = new Array<TemplateAction<any, any, any>>();
    // A stand-in scaffolder plugin that only collects what modules add.
    const scaffolder = createBackendPlugin({
      pluginId: 'scaffolder',
      register(reg) {
        reg.registerExtensionPoint(scaffolderActionsExtensionPoint, {
          addActions: (...added: TemplateAction<any, any, any>[]) => {
            actions.push(...added);
          },
        });
        reg.registerInit({ deps: {}, async init() {} });
      },
    });
    await startTestBackend({
      features: [
        scaffolder,
        scaffolderModuleKhal,
        catalogServiceMock.factory(),
        mockServices.rootConfig.factory({ data: {} }),
      ],
    });
    expect(actions.map(a => a.id).sort()).toEqual([
      'khal:catalog:register-local',
      'khal:ladder:enroll',
      'khal:manifest:create',
      'khal:manifest:validate',
      'khal:publish:local',
    ]);
    for (const action of actions) {
      expect(action.supportsDryRun).toBe(true);
      expect(action.examples?.length).toBeGreaterThan(0);
      expect(action.schema?.input).toBeDefined();
      expect(action.schema?.output).toBeDefined();
      expect(undescribed(action.schema?.input, `${action.id} input`)).toEqual(
        [],
      );
      expect(undescribed(action.schema?.output, `${action.id} output`)).toEqual(
        [],
      );
    }
  });
});
