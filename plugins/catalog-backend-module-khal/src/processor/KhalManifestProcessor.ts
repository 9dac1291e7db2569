import { UrlReaderService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  CatalogProcessor,
  CatalogProcessorEmit,
  LocationSpec,
  processingResult,
} from '@backstage/plugin-catalog-node';
import {
  LADDER_ANNOTATION,
  MANIFEST_DIGEST_ANNOTATION,
  MANIFEST_FILENAME,
  MANIFEST_NAME_ANNOTATION,
  formatManifestProblems,
  validateManifest,
} from '@khal/plugin-ladder-common';
import { createHash } from 'node:crypto';
import {
  ManifestLookup,
  SOURCE_REPO_ANNOTATION,
  readBesideFile,
  readBesideUrl,
  readFromLocalRepository,
} from './manifestSource';

/** sha256 hex of the manifest text: the same digest the ladder records for a ref. */
export function manifestDigest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Reads and validates the khal-app.json of every entity on a ladder (`khal.ai/ladder`).
 *
 * The manifest comes from the local bare repository named by `khal.ai/source-repo: file:<name>.git`
 * when there is one, else from beside the entity's own location (the UrlReader for `url`
 * locations, the file system for `file` locations). A missing or invalid manifest becomes a
 * processing error of the entity, naming where it looked or the JSON path of each problem; a
 * valid one is recorded as `khal.ai/manifest-name` and `khal.ai/manifest-digest`, so the catalog
 * and the ladder agree on which manifest an entity has.
 *
 * Runs in postProcessEntity: errors emitted there are stored as the entity's processing errors
 * (`status.items`, type `backstage.io/catalog-processing`) like those of any other step.
 * @public
 */
export class KhalManifestProcessor implements CatalogProcessor {
  constructor(
    private readonly options: {
      reader: UrlReaderService;
      /** Absolute folder holding the local bare repositories (`ladder.localRepositoriesRoot`). */
      localRepositoriesRoot: string;
    },
  ) {}

  getProcessorName(): string {
    return 'KhalManifestProcessor';
  }

  async postProcessEntity(
    entity: Entity,
    location: LocationSpec,
    emit: CatalogProcessorEmit,
  ): Promise<Entity> {
    const annotations = entity.metadata.annotations ?? {};
    if (!annotations[LADDER_ANNOTATION]) return entity;

    const entityRef = stringifyEntityRef(entity);
    const lookup = await this.lookUp(
      annotations[SOURCE_REPO_ANNOTATION],
      location,
    );
    if (!lookup.found) {
      emit(
        processingResult.generalError(
          location,
          `No ${MANIFEST_FILENAME} for ${entityRef}: looked at ${lookup.where} (${lookup.reason}) — fix: ${lookup.fix}`,
        ),
      );
      return entity;
    }

    const result = validateManifest(lookup.text);
    if (!result.ok) {
      emit(
        processingResult.generalError(
          location,
          `${MANIFEST_FILENAME} of ${entityRef} (${
            lookup.where
          }) is invalid:\n${formatManifestProblems(result.problems)}`,
        ),
      );
      return entity;
    }

    return {
      ...entity,
      metadata: {
        ...entity.metadata,
        annotations: {
          ...annotations,
          [MANIFEST_NAME_ANNOTATION]: result.manifest.name,
          [MANIFEST_DIGEST_ANNOTATION]: manifestDigest(lookup.text),
        },
      },
    };
  }

  private async lookUp(
    sourceRepo: string | undefined,
    location: LocationSpec,
  ): Promise<ManifestLookup> {
    if (sourceRepo?.startsWith('file:')) {
      return readFromLocalRepository(
        this.options.localRepositoriesRoot,
        sourceRepo,
      );
    }
    if (location.type === 'file') return readBesideFile(location);
    if (location.type === 'url')
      return readBesideUrl(this.options.reader, location);
    return {
      found: false,
      where: `${location.type}:${location.target}`,
      reason: `manifests are not read from "${location.type}" locations`,
      fix: `register the entity from a url or file location, or set ${SOURCE_REPO_ANNOTATION}: file:<name>.git`,
    };
  }
}
