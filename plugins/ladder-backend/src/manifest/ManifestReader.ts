import { createHash } from 'node:crypto';
import type { LoggerService, UrlReaderService } from '@backstage/backend-plugin-api';
import { ANNOTATION_SOURCE_LOCATION, Entity } from '@backstage/catalog-model';
import { MANIFEST_FILENAME, validateManifest } from '@khal/plugin-ladder-common';
import { GitError, runGit, type ManifestReadResult } from '@khal/plugin-ladder-node';
import { LRUCache } from 'lru-cache';
import { resolveLocalRepository } from './LocalRepository';

/** Names the entity's source repository: `file:<path>` for the local git repositories. */
export const SOURCE_REPO_ANNOTATION = 'khal.ai/source-repo';

/** Refs passed to git: a commit, tag or branch. Never an option, never a range. */
const SAFE_REF = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$/;
const COMMIT = /^[0-9a-f]{7,40}$/i;
const CACHE_LIMIT = 1000;

function sha256(text: string) {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function gitShow(gitDir: string, spec: string): Promise<string> {
  return runGit(['show', spec], { gitDir, timeoutMs: 5000, maxOutputBytes: 1024 * 1024 });
}

async function gitRevParse(gitDir: string, ref: string): Promise<string> {
  const out = await runGit(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], {
    gitDir,
    timeoutMs: 5000,
  });
  return out.trim();
}

/** A full commit SHA, or why a ref could not be resolved to one and how to fix that. */
export type CommitResolution = { sha: string } | { reason: string; howToFix: string };

const FULL_SHA = /^[0-9a-f]{40}$/;

/** Replaces the branch of a hosted source URL (GitHub, GitLab, Gitea, Bitbucket) with `ref`. */
export function sourceUrlAtRef(url: string, ref: string): string | undefined {
  const base = url.endsWith('/') ? url : `${url}/`;
  const patterns: Array<[RegExp, string]> = [
    [/^(.*\/-\/(?:tree|blob)\/)[^/]+\/(.*)$/, '$1REF/$2'], // GitLab
    [/^(.*\/src\/(?:branch|commit|tag)\/)[^/]+\/(.*)$/, '$1REF/$2'], // Gitea
    [/^(.*\/(?:tree|blob)\/)[^/]+\/(.*)$/, '$1REF/$2'], // GitHub
    [/^(.*\/src\/)[^/]+\/(.*)$/, '$1REF/$2'], // Bitbucket
  ];
  for (const [pattern, replacement] of patterns) {
    if (pattern.test(base)) {
      return `${base.replace(pattern, replacement).replace('REF', ref)}${MANIFEST_FILENAME}`;
    }
  }
  return undefined;
}

/**
 * Reads `khal-app.json` as of a ref from an entity's source repository: from the local git
 * repositories (`khal.ai/source-repo: file:<path>`) with `git show`, or through the UrlReader for
 * hosted repositories (`backstage.io/source-location`). Results for commits are cached: a commit
 * never changes.
 */
export class ManifestReader {
  /** A commit never changes, so no TTL: only the number of commits kept is bounded. */
  private readonly cache = new LRUCache<string, ManifestReadResult>({ max: CACHE_LIMIT });

  constructor(
    private readonly options: {
      urlReader: UrlReaderService;
      logger: LoggerService;
      /** Base of relative `file:` paths. */
      localRepositoriesRoot: string;
    },
  ) {}

  async read(entity: Entity, ref: string): Promise<ManifestReadResult> {
    if (!SAFE_REF.test(ref) || ref.includes('..')) {
      return {
        status: 'unavailable',
        reason: `"${ref}" is not a ref the ladder reads (a commit sha, tag or branch)`,
        howToFix: 'use a commit sha or tag',
      };
    }
    const repoSource = entity.metadata.annotations?.[SOURCE_REPO_ANNOTATION];
    if (repoSource?.startsWith('file:')) {
      return this.cached(`${repoSource}@${ref}`, ref, () => this.readLocal(repoSource.slice(5), ref));
    }
    const location = entity.metadata.annotations?.[ANNOTATION_SOURCE_LOCATION];
    if (location?.startsWith('url:')) {
      return this.cached(`${location}@${ref}`, ref, () => this.readHosted(location.slice(4), ref));
    }
    return {
      status: 'unavailable',
      reason: 'the entity names no source repository',
      howToFix: `add the annotation ${SOURCE_REPO_ANNOTATION}: file:<repo>.git (local repositories) or ${ANNOTATION_SOURCE_LOCATION}: url:<repository URL> to the entity`,
    };
  }

  /**
   * Resolves a branch, tag or (short) SHA to the full 40-hex commit SHA in the entity's source
   * repository, so that what is approved is one commit, not a name that can move.
   */
  async resolveCommit(entity: Entity, ref: string): Promise<CommitResolution> {
    if (!SAFE_REF.test(ref) || ref.includes('..')) {
      return { reason: `"${ref}" is not a commit SHA, tag or branch name`, howToFix: 'pass a commit SHA, tag or branch' };
    }
    const repoSource = entity.metadata.annotations?.[SOURCE_REPO_ANNOTATION];
    if (repoSource?.startsWith('file:')) {
      // The same confinement as every other read of a local repository (see LocalRepository).
      const repository = resolveLocalRepository(this.options.localRepositoriesRoot, repoSource.slice(5));
      if (!repository.ok) return { reason: repository.reason, howToFix: repository.howToFix };
      const { gitDir } = repository;
      const resolved = repository.display;
      try {
        // Under load (seen in the kubernetes module's tests) git has exited 0 with an empty stdout
        // now and then; a commit that resolves at all resolves on the next try.
        for (let attempt = 0; attempt < 3; attempt++) {
          const sha = await gitRevParse(gitDir, ref);
          if (FULL_SHA.test(sha)) return { sha };
          if (sha !== '') break;
        }
      } catch {
        // Unknown, ambiguous or unreadable: answered below.
      }
      return {
        reason: `"${ref}" is not a commit, tag or branch of the repository ${resolved}`,
        howToFix: `push it there (git push) or pass the full commit SHA (git rev-parse ${ref})`,
      };
    }
    // Hosted repositories are read through the UrlReader, which cannot list refs: only a full
    // SHA names one commit there.
    if (FULL_SHA.test(ref)) return { sha: ref };
    return {
      reason: `"${ref}" cannot be resolved to a commit of ${entity.metadata.name}'s hosted repository`,
      howToFix: `pass the full 40-hex commit SHA instead (git rev-parse ${ref})`,
    };
  }

  private async cached(
    key: string,
    ref: string,
    load: () => Promise<ManifestReadResult>,
  ): Promise<ManifestReadResult> {
    const hit = this.cache.get(key);
    if (hit) return hit;
    const result = await load();
    if (result.status !== 'unavailable' && COMMIT.test(ref)) {
      this.cache.set(key, result);
    }
    return result;
  }

  private async readLocal(repoPath: string, ref: string): Promise<ManifestReadResult> {
    const repository = resolveLocalRepository(this.options.localRepositoriesRoot, repoPath);
    if (!repository.ok) {
      return { status: 'unavailable', reason: repository.reason, howToFix: repository.howToFix };
    }
    const { gitDir } = repository;
    const resolved = repository.display;
    const source = `file:${resolved}@${ref}`;
    let text: string;
    try {
      text = await gitShow(gitDir, `${ref}:${MANIFEST_FILENAME}`);
    } catch (error) {
      const stderr = error instanceof GitError ? error.stderr : '';
      if (/does not exist in|exists on disk, but not in/.test(stderr)) {
        return {
          status: 'unavailable',
          reason: `${MANIFEST_FILENAME} does not exist at ${ref}`,
          howToFix: `commit ${MANIFEST_FILENAME} at the repository root (khal manifest init) and promote that commit`,
        };
      }
      if (/invalid object name|unknown revision|bad revision|not a valid object/i.test(stderr)) {
        return {
          status: 'unavailable',
          reason: `${ref} is not a commit, tag or branch of ${resolved}`,
          howToFix: 'push the ref to the repository the portal publishes to, or check its spelling',
        };
      }
      this.options.logger.warn(`git show ${ref} in ${resolved} failed: ${stderr || error}`);
      return {
        status: 'unavailable',
        reason: `git could not read ${MANIFEST_FILENAME} at ${ref} from ${resolved}`,
        howToFix: 'check that the path is a git repository the backend can read',
      };
    }
    return this.validate(text, source);
  }

  private async readHosted(url: string, ref: string): Promise<ManifestReadResult> {
    const target = sourceUrlAtRef(url, ref);
    if (!target) {
      return {
        status: 'unavailable',
        reason: `cannot tell how to read ref ${ref} from ${url}`,
        howToFix: `point ${ANNOTATION_SOURCE_LOCATION} at a repository tree URL (…/tree/<branch>/) or use ${SOURCE_REPO_ANNOTATION}`,
      };
    }
    try {
      const response = await this.options.urlReader.readUrl(target);
      const text = (await response.buffer()).toString('utf8');
      return this.validate(text, target);
    } catch (error) {
      const name = (error as Error)?.name;
      return {
        status: 'unavailable',
        reason:
          name === 'NotFoundError'
            ? `${MANIFEST_FILENAME} does not exist at ${ref} (${target})`
            : `${target} could not be read: ${(error as Error)?.message ?? error}`,
        howToFix:
          name === 'NotFoundError'
            ? `commit ${MANIFEST_FILENAME} at the repository root and promote that commit`
            : 'configure an integration for this host in app-config (integrations.*) so the portal can read it',
      };
    }
  }

  private validate(text: string, source: string): ManifestReadResult {
    const digest = sha256(text);
    const result = validateManifest(text);
    return result.ok
      ? { status: 'valid', manifest: result.manifest, digest, source }
      : { status: 'invalid', problems: result.problems, digest, source };
  }
}
