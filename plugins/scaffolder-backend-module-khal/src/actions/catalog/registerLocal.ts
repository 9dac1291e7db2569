import { RootConfigService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import {
  CatalogService,
  locationSpecToMetadataName,
} from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import fs from 'node:fs/promises';
import path from 'node:path';
import yaml from 'yaml';
import { resolveWorkspaceFile } from '../../workspace/workspaceFile';
import { examples } from './registerLocal.examples';

/** Where descriptors go when nothing is configured, relative to the backend's cwd. */
export const DEFAULT_LOCAL_CATALOG_ROOT = '../../data/catalog';

const FOLDER_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/**
 * The Location entity of the `catalog.locations` entry whose file glob covers `root`, if any. The
 * catalog names config locations after their resolved target, so the ref can be computed.
 */
export function localCatalogLocationRef(
  config: RootConfigService,
  root: string,
): string | undefined {
  const glob = path.join(root, '*', 'catalog-info.yaml');
  for (const location of config.getOptionalConfigArray('catalog.locations') ??
    []) {
    if (location.getOptionalString('type') !== 'file') continue;
    const target = path.resolve(location.getString('target'));
    if (target === glob) {
      return `location:default/${locationSpecToMetadataName({
        type: 'file',
        target,
      })}`;
    }
  }
  return undefined;
}

/** `kind:namespace/name` of the descriptor's main entity: its Component, else its first entity. */
function mainEntityRef(text: string, file: string): string {
  let documents: unknown[];
  try {
    documents = yaml.parseAllDocuments(text).map(document => document.toJSON());
  } catch (error) {
    throw new InputError(
      `${file} is not valid YAML: ${(error as Error).message}`,
    );
  }
  const entities = documents.filter(
    (
      d,
    ): d is { kind: string; metadata: { name: string; namespace?: string } } =>
      typeof d === 'object' &&
      d !== null &&
      typeof (d as any).kind === 'string' &&
      typeof (d as any).metadata?.name === 'string',
  );
  const main = entities.find(e => e.kind === 'Component') ?? entities[0];
  if (!main) {
    throw new InputError(
      `${file} holds no catalog entity — fix: give it a document with kind and metadata.name`,
    );
  }
  return `${main.kind.toLocaleLowerCase('en-US')}:${
    main.metadata.namespace ?? 'default'
  }/${main.metadata.name}`;
}

/**
 * `khal:catalog:register-local` — the local stand-in for `catalog:register`.
 *
 * `catalog:register` only registers `url` locations, and no UrlReader reads the file:// URLs of
 * local bare repositories. So this action copies the descriptor to
 * `<khal.localCatalog.root>/<name>/catalog-info.yaml`, a folder the catalog watches through a
 * `type: file` location glob; the catalog ingests it on its next refresh of that location.
 * @public
 */
export function createCatalogRegisterLocalAction(options: {
  config: RootConfigService;
  /** When given, the catalog is asked to re-read the location at once instead of on its loop. */
  catalog?: CatalogService;
}) {
  const { config, catalog } = options;
  return createTemplateAction({
    id: 'khal:catalog:register-local',
    description:
      'Registers the workspace catalog-info.yaml with the local catalog by copying it to <khal.localCatalog.root>/<name>/catalog-info.yaml, which the catalog reads through a file location glob. The local stand-in for catalog:register, which only accepts URLs a UrlReader can read.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        name: z =>
          z.string({
            description:
              'Folder name under the local catalog root, usually the entity name (lower-case letters, digits, "-").',
          }),
        catalogInfoPath: z =>
          z
            .string({
              description:
                'The descriptor, relative to the workspace. Default "catalog-info.yaml".',
            })
            .optional(),
      },
      output: {
        entityRef: z =>
          z.string({
            description:
              'Ref of the main entity of the descriptor (its Component, else its first entity).',
          }),
        catalogInfoPath: z =>
          z.string({
            description: 'Absolute path of the copy the catalog reads.',
          }),
      },
    },
    async handler(ctx) {
      const { name } = ctx.input;
      const relativePath = ctx.input.catalogInfoPath ?? 'catalog-info.yaml';
      if (!FOLDER_NAME.test(name) || name.length > 100) {
        throw new InputError(
          `name "${name}" is not a valid folder name — fix: use lower-case letters, digits and "-"`,
        );
      }
      const source = await resolveWorkspaceFile(
        ctx.workspacePath,
        relativePath,
        'catalogInfoPath',
      );
      const text = await fs.readFile(source, 'utf8').catch(() => {
        throw new InputError(
          `there is no ${relativePath} in the workspace — fix: render it from the skeleton or point catalogInfoPath at it`,
        );
      });
      const entityRef = mainEntityRef(text, relativePath);
      const root = path.resolve(
        config.getOptionalString('khal.localCatalog.root') ??
          DEFAULT_LOCAL_CATALOG_ROOT,
      );
      const target = path.join(root, name, 'catalog-info.yaml');
      if (
        await fs.lstat(target).then(
          () => true,
          () => false,
        )
      ) {
        throw new ConflictError(
          `${target} already exists — fix: pick another name, or remove the old descriptor if it is unused`,
        );
      }

      const locationRef = localCatalogLocationRef(config, root);
      // Best effort: without it the entity still appears on the catalog's next pass over the glob.
      const nudgeCatalog = async () => {
        if (!locationRef) {
          ctx.logger.warn(
            `No catalog location reads ${path.join(
              root,
              '*',
              'catalog-info.yaml',
            )} — fix: add { type: file, target: <that glob> } to catalog.locations, or point khal.localCatalog.root at the folder a file location reads`,
          );
          return;
        }
        if (!catalog) return;
        try {
          await catalog.refreshEntity(locationRef, {
            credentials: await ctx.getInitiatorCredentials(),
          });
          ctx.logger.info(`Asked the catalog to re-read ${locationRef}`);
        } catch (error) {
          ctx.logger.warn(
            `Could not ask the catalog to re-read ${locationRef} (${
              (error as Error).message
            }); it picks ${entityRef} up on its next refresh`,
          );
        }
      };

      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry-run: would register ${entityRef} by writing ${target}`,
        );
      } else {
        await ctx.checkpoint({
          key: `khal.catalog.register-local.${name}`,
          fn: async () => {
            await fs.mkdir(path.dirname(target), { recursive: true });
            // `wx`: never overwrite a descriptor another run wrote in the meantime.
            await fs.writeFile(target, text, { encoding: 'utf8', flag: 'wx' });
          },
        });
        ctx.logger.info(`Registered ${entityRef}: wrote ${target}`);
        await nudgeCatalog();
      }
      ctx.output('entityRef', entityRef);
      ctx.output('catalogInfoPath', target);
    },
  });
}
