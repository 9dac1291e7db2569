import { execFile, execFileSync } from 'node:child_process';

/** How long one git command may run, by default (ms). */
export const GIT_TIMEOUT_MS = 10_000;
/** The most output one git command may write, by default (bytes). */
export const GIT_MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

/** @public */
export type GitOptions = {
  /** Working directory (a work tree, or any folder for commands such as ls-remote). */
  cwd?: string;
  /** Runs on this repository (`--git-dir`), e.g. a bare repository; no work tree needed. */
  gitDir?: string;
  /** Kills git after this long (ms); default GIT_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Largest stdout accepted (bytes); more fails the call; default GIT_MAX_OUTPUT_BYTES. */
  maxOutputBytes?: number;
  /** Author and committer of commits this call makes; never taken from host config. */
  identity?: { name: string; email: string };
};

const GIT_FAILURES: Record<GitError['reason'], (stderr: string) => string> = {
  failed: stderr => `failed${stderr ? `: ${stderr}` : ''}`,
  timeout: () => 'took too long and was stopped',
  'too-much-output': () => 'wrote more output than allowed and was stopped',
};

/**
 * Why a git command failed: its stderr (trimmed, at most 2 KiB), the exit code, and whether it
 * ran out of time or wrote more than it may.
 * @public
 */
export class GitError extends Error {
  readonly name = 'GitError';
  constructor(
    readonly args: string[],
    readonly stderr: string,
    readonly exitCode: number | null,
    readonly reason: 'failed' | 'timeout' | 'too-much-output',
    cause?: unknown,
  ) {
    super(`git ${args[0] ?? ''} ${GIT_FAILURES[reason](stderr)}`, { cause });
  }
}

/**
 * The environment git runs with: no user or system config (hooks, aliases, signing, credential
 * helpers on the host cannot change what happens), no terminal prompt, and a fixed identity
 * when one is given. Nothing else of the caller's environment leaks in.
 */
function gitEnv(identity?: GitOptions['identity']): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    ...(identity
      ? {
          GIT_AUTHOR_NAME: identity.name,
          GIT_AUTHOR_EMAIL: identity.email,
          GIT_COMMITTER_NAME: identity.name,
          GIT_COMMITTER_EMAIL: identity.email,
        }
      : {}),
  };
}

function invocation(args: string[], options: GitOptions) {
  return {
    argv: options.gitDir ? ['--git-dir', options.gitDir, ...args] : args,
    spawnOptions: {
      cwd: options.cwd,
      timeout: options.timeoutMs ?? GIT_TIMEOUT_MS,
      maxBuffer: options.maxOutputBytes ?? GIT_MAX_OUTPUT_BYTES,
      encoding: 'utf8' as const,
      env: gitEnv(options.identity),
      windowsHide: true,
    },
  };
}

function toGitError(args: string[], error: unknown, stderr: unknown): GitError {
  const failure = error as NodeJS.ErrnoException & {
    status?: number | null;
    signal?: string | null;
    killed?: boolean;
  };
  const text = String(stderr ?? '')
    .trim()
    .slice(0, 2048);
  const exitCode =
    typeof failure.code === 'number' ? failure.code : failure.status ?? null;
  let reason: GitError['reason'] = 'failed';
  if (
    String(failure.code) === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER' ||
    String(failure.code) === 'ENOBUFS'
  ) {
    reason = 'too-much-output';
  } else if (
    failure.killed ||
    failure.signal === 'SIGTERM' ||
    String(failure.code) === 'ETIMEDOUT'
  ) {
    reason = 'timeout';
  }
  return new GitError(args, text, exitCode, reason, error);
}

/**
 * Runs git with arguments as an array (never a shell), with a timeout and an output limit, and
 * answers its stdout (untrimmed). Fails with a GitError. The one way the backend, the CLI and
 * the scaffolder actions run git.
 * @public
 */
export function runGit(
  args: string[],
  options: GitOptions = {},
): Promise<string> {
  const { argv, spawnOptions } = invocation(args, options);
  return new Promise((resolve, reject) => {
    execFile('git', argv, spawnOptions, (error, stdout, stderr) =>
      error ? reject(toGitError(args, error, stderr)) : resolve(stdout),
    );
  });
}

/**
 * runGit for synchronous callers (the CLI's option parsing): the same environment, timeout and
 * output limit.
 * @public
 */
export function runGitSync(args: string[], options: GitOptions = {}): string {
  const { argv, spawnOptions } = invocation(args, options);
  try {
    return execFileSync('git', argv, {
      ...spawnOptions,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    throw toGitError(args, error, (error as { stderr?: unknown }).stderr);
  }
}
