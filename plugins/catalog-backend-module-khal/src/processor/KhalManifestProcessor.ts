import { UrlReaderService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  CatalogProcessor,
  CatalogProcessorEmit,
  LocationSpec,
} from '@backstage/plugin-catalog-node';
import {
  LADDER_ANNOTATION,
  MANIFEST_DIGEST_ANNOTATION,
  MANIFEST_FILENAME,
  MANIFEST_NAME_ANNOTATION,
  MANIFEST_PROBLEM_ANNOTATION,
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
 * locations, the file system for `file` locations). A valid one is recorded as
 * `khal.ai/manifest-name` and `khal.ai/manifest-digest`, so the catalog and the ladder agree on
 * which manifest an entity has. A missing or invalid one is recorded as `khal.ai/manifest-problem`,
 * naming where it looked or the JSON path of each problem, and the entity stays in the catalog:
 * an emitted processing error would keep an entity out of the catalog until its first clean
 * processing (it would be "pending", seen by nobody), and keep the last good digest on one that
 * was in. The ladder shows the problem as a failing manifest-valid check.
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
    _emit: CatalogProcessorEmit,
  ): Promise<Entity> {
    const annotations = entity.metadata.annotations ?? {};
    if (!annotations[LADDER_ANNOTATION]) return entity;

    const entityRef = stringifyEntityRef(entity);
    const lookup = await this.lookUp(
      annotations[SOURCE_REPO_ANNOTATION],
      location,
    );
    if (!lookup.found) {
      return withManifest(entity, {
        problem: `No ${MANIFEST_FILENAME} for ${entityRef}: looked at ${lookup.where} (${lookup.reason}) — fix: ${lookup.fix}`,
      });
    }

    const result = validateManifest(lookup.text);
    if (!result.ok) {
      return withManifest(entity, {
        problem: `${MANIFEST_FILENAME} of ${entityRef} (${
          lookup.where
        }) is invalid:\n${formatManifestProblems(result.problems)}`,
      });
    }

    return withManifest(entity, {
      name: result.manifest.name,
      digest: manifestDigest(lookup.text),
    });
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

/** Longest problem text kept on the entity (the manifest validator lists at most its problems). */
const MAX_PROBLEM_CHARS = 4000;

/** The entity with exactly one of: the manifest's name and digest, or the problem reading it. */
function withManifest(
  entity: Entity,
  manifest: { name: string; digest: string } | { problem: string },
): Entity {
  const {
    [MANIFEST_NAME_ANNOTATION]: _name,
    [MANIFEST_DIGEST_ANNOTATION]: _digest,
    [MANIFEST_PROBLEM_ANNOTATION]: _problem,
    ...others
  } = entity.metadata.annotations ?? {};
  const recorded: Record<string, string> =
    'problem' in manifest
      ? {
          [MANIFEST_PROBLEM_ANNOTATION]:
            manifest.problem.length > MAX_PROBLEM_CHARS
              ? `${manifest.problem.slice(0, MAX_PROBLEM_CHARS)}…`
              : manifest.problem,
        }
      : {
          [MANIFEST_NAME_ANNOTATION]: manifest.name,
          [MANIFEST_DIGEST_ANNOTATION]: manifest.digest,
        };
  return {
    ...entity,
    metadata: {
      ...entity.metadata,
      annotations: { ...others, ...recorded },
    },
  };
}
