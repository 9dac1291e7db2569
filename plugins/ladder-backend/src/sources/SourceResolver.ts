import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import {
  ANNOTATION_SOURCE_LOCATION,
  Entity,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { ConflictError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { LADDER_ANNOTATION, MANIFEST_FILENAME } from '@khal/plugin-ladder-common';
import type { ManifestReadResult } from '@khal/plugin-ladder-node';
import { ManifestReader, SOURCE_REPO_ANNOTATION } from '../manifest/ManifestReader';
import { UnprocessableEntityError } from '../router/httpErrors';
import { normalizeEntityRef } from '../service/LadderEntities';
import { RepositoryKey, repositoryKey, sameRepository, withoutCredentials } from './repositoryKey';

/** The answer of GET /sources (see SourceResolution in openapi.yaml). */
export type SourceResolution = {
  entityRef: string;
  repoUrl: string;
  ref: string;
  commit: string;
  matchedBy: string;
  manifest: {
    status: 'valid' | 'invalid' | 'unavailable';
    name: string | null;
    digest: string | null;
    source: string | null;
    problems: Array<{ path: string; message: string; fix?: string }>;
    reason: string | null;
    howToFix: string | null;
  };
};

/** khal-app.json as read at the resolved commit, in the answer's shape. */
function manifestSummary(read: ManifestReadResult, sha: string): SourceResolution['manifest'] {
  const none = { name: null, digest: null, source: null, problems: [], reason: null, howToFix: null };
  if (read.status === 'valid') {
    return { ...none, status: 'valid', name: read.manifest.name, digest: read.digest, source: read.source };
  }
  if (read.status === 'invalid') {
    return {
      ...none,
      status: 'invalid',
      digest: read.digest,
      source: read.source,
      problems: read.problems,
      reason: `${MANIFEST_FILENAME} at ${sha.slice(0, 7)} is not valid`,
      howToFix: 'fix it (khal manifest validate), commit and push, then resolve the new commit',
    };
  }
  return { ...none, status: 'unavailable', reason: read.reason, howToFix: read.howToFix };
}

/** The source annotations of an entity, in the order the manifest reader prefers them. */
function sourcesOf(entity: Entity): Array<{ annotation: string; value: string; location: string }> {
  const annotations = entity.metadata.annotations ?? {};
  const out: Array<{ annotation: string; value: string; location: string }> = [];
  const repo = annotations[SOURCE_REPO_ANNOTATION];
  if (repo) out.push({ annotation: SOURCE_REPO_ANNOTATION, value: repo, location: repo });
  const location = annotations[ANNOTATION_SOURCE_LOCATION];
  if (location?.startsWith('url:')) {
    out.push({ annotation: ANNOTATION_SOURCE_LOCATION, value: location, location: location.slice(4) });
  }
  return out;
}

/**
 * Finds the entity a repository URL belongs to, from the catalog's source annotations, and the
 * commit a ref names in it. Only entities on a ladder that the caller may read are candidates; a
 * URL two entities share is a conflict to be settled with an entity ref, never a pick.
 */
export class SourceResolver {
  constructor(
    private readonly deps: {
      catalog: CatalogService;
      manifests: ManifestReader;
      localRepositoriesRoot: string;
    },
  ) {}

  async resolve(
    credentials: BackstageCredentials,
    query: { repoUrl: string; ref: string; entityRef?: string },
  ): Promise<SourceResolution> {
    const shown = withoutCredentials(query.repoUrl);
    const wanted = repositoryKey(query.repoUrl, this.deps.localRepositoriesRoot);
    if (!wanted) {
      throw new NotFoundError(
        `${shown} is not a repository the portal can match: pass the URL you clone it with (https://host/owner/repo, git@host:owner/repo.git, or file:///path/to/repo.git for a repository on the portal's machine)`,
      );
    }
    const matches = await this.candidates(credentials, wanted);
    const chosen = query.entityRef
      ? matches.filter(m => m.entityRef === normalizeEntityRef(query.entityRef!))
      : matches;
    if (chosen.length === 0) {
      throw new NotFoundError(
        query.entityRef && matches.length
          ? `${normalizeEntityRef(query.entityRef)} is not registered from ${shown}; entities from it: ${matches
              .map(m => m.entityRef)
              .join(', ')}`
          : `no entity on a ladder has ${shown} as its source (or you may not read it): register the app in the catalog with the annotation ${SOURCE_REPO_ANNOTATION} (file:<name>.git on the embedded default) or ${ANNOTATION_SOURCE_LOCATION}: url:<repository URL>, and ${LADDER_ANNOTATION}: <ladder id>`,
      );
    }
    if (chosen.length > 1) {
      throw new ConflictError(
        `${chosen.length} entities have ${shown} as their source: ${chosen
          .map(m => m.entityRef)
          .join(', ')}; choose one with --entity (entityRef)`,
      );
    }
    const [{ entity, entityRef, matchedBy }] = chosen;
    const resolution = await this.deps.manifests.resolveCommit(entity, query.ref);
    if (!('sha' in resolution)) {
      throw new UnprocessableEntityError(`${resolution.reason}: ${resolution.howToFix}`);
    }
    const read = await this.deps.manifests.read(entity, resolution.sha);
    return {
      entityRef,
      repoUrl: shown,
      ref: query.ref,
      commit: resolution.sha,
      matchedBy,
      manifest: manifestSummary(read, resolution.sha),
    };
  }

  private async candidates(
    credentials: BackstageCredentials,
    wanted: RepositoryKey,
  ): Promise<Array<{ entity: Entity; entityRef: string; matchedBy: string }>> {
    // With the caller's credentials: the catalog shows only what they may read.
    const { items } = await this.deps.catalog.getEntities(
      { filter: { [`metadata.annotations.${LADDER_ANNOTATION}`]: CATALOG_FILTER_EXISTS } },
      { credentials },
    );
    const out: Array<{ entity: Entity; entityRef: string; matchedBy: string }> = [];
    for (const entity of items) {
      const match = sourcesOf(entity).find(source => {
        const key = repositoryKey(source.location, this.deps.localRepositoriesRoot);
        return key !== undefined && sameRepository(wanted, key);
      });
      if (match) {
        out.push({
          entity,
          entityRef: normalizeEntityRef(stringifyEntityRef(entity)),
          matchedBy: `${match.annotation}: ${match.value}`,
        });
      }
    }
    return out;
  }
}
