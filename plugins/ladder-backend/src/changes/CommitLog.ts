import type { LoggerService } from '@backstage/backend-plugin-api';
import { ANNOTATION_SOURCE_LOCATION, Entity } from '@backstage/catalog-model';
import type { ChangeCommit } from '@khal/plugin-ladder-common';
import { GitError, runGit } from '@khal/plugin-ladder-node';
import { SOURCE_REPO_ANNOTATION } from '../manifest/ManifestReader';
import { resolveLocalRepository } from '../manifest/LocalRepository';
import { Redactor } from '../evidence/Redactor';

const redactor = new Redactor();

/** Refs passed to git: a commit, tag or branch. Never an option, never a range. */
const SAFE_REF = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$/;
/** At most this many commits are listed; the view says when there were more. */
export const COMMIT_LIMIT = 200;

const FIELD = '\u001f';
const RECORD = '\u001e';

/** The commits between two refs, or why they cannot be listed. */
export type CommitRange =
  | { commits: ChangeCommit[]; truncated: boolean }
  | { commits: null; reason: string };

/**
 * Lists the commits of a ref range from the entity's source repository. The local git
 * repositories (`khal.ai/source-repo: file:<path>`, the embedded default) are asked with
 * `git log`; hosted repositories are not listed (no integration here offers a commit range
 * yet), and the view says so instead of guessing.
 */
export class CommitLog {
  constructor(
    private readonly options: {
      logger: LoggerService;
      localRepositoriesRoot: string;
    },
  ) {}

  async range(
    entity: Entity,
    from: string | null,
    to: string,
  ): Promise<CommitRange> {
    for (const ref of [from, to]) {
      if (ref !== null && (!SAFE_REF.test(ref) || ref.includes('..'))) {
        return {
          commits: null,
          reason: `"${ref}" is not a ref the ladder reads (a commit sha, tag or branch)`,
        };
      }
    }
    const repoSource = entity.metadata.annotations?.[SOURCE_REPO_ANNOTATION];
    if (!repoSource?.startsWith('file:')) {
      const hosted = entity.metadata.annotations?.[ANNOTATION_SOURCE_LOCATION];
      return {
        commits: null,
        reason: hosted
          ? `commits are listed for the local git repositories only; ${hosted.replace(
              /^url:/,
              '',
            )} is hosted — compare ${from ?? 'the start'}…${to} there`
          : `the entity names no source repository (add ${SOURCE_REPO_ANNOTATION}: file:<repo>)`,
      };
    }
    const repository = resolveLocalRepository(
      this.options.localRepositoriesRoot,
      repoSource.slice('file:'.length),
    );
    if (!repository.ok) {
      return {
        commits: null,
        reason: `${repository.reason}: ${repository.howToFix}`,
      };
    }
    const { gitDir } = repository;
    const resolved = repository.display;
    let out: string;
    try {
      out = await runGit(
        [
          'log',
          `--format=%H${FIELD}%s${FIELD}%an${FIELD}%aI${RECORD}`,
          `--max-count=${COMMIT_LIMIT + 1}`,
          from ? `${from}..${to}` : to,
          '--',
        ],
        { gitDir, timeoutMs: 5000 },
      );
    } catch (error) {
      const stderr = error instanceof GitError ? error.stderr : '';
      if (
        /unknown revision|bad revision|invalid object name|ambiguous argument/i.test(
          stderr,
        )
      ) {
        return {
          commits: null,
          reason: `${from ?? ''}${
            from ? '..' : ''
          }${to} is not a range of ${resolved}: a ref is unknown there`,
        };
      }
      this.options.logger.warn(
        `git log in ${resolved} failed: ${stderr || error}`,
      );
      return {
        commits: null,
        reason: `git could not list the commits of ${resolved}`,
      };
    }
    const commits = await Promise.all(
      out
        .split(RECORD)
        .map(r => r.trim())
        .filter(Boolean)
        .map(async record => {
          const [sha, subject, author, date] = record.split(FIELD);
          return {
            sha,
            // A commit message can quote a credential (e.g. a connection URL): never shown as is.
            subject: (await redactor.text(subject ?? '')).value,
            author: author ?? '',
            date: date ?? '',
          };
        }),
    );
    return {
      commits: commits.slice(0, COMMIT_LIMIT),
      truncated: commits.length > COMMIT_LIMIT,
    };
  }
}
