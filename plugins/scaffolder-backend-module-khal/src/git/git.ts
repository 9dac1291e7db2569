import { runGit } from '@khal/plugin-ladder-node';

/** The fixed identity of commits the scaffolder makes, so they never depend on host config. */
export const SCAFFOLDER_GIT_AUTHOR = {
  name: 'Khal Scaffolder',
  email: 'scaffolder@khal.local',
};

/**
 * Runs git through the ladder's one git runner (an argument array, never a shell; host config
 * ignored; timeout and output limit) with the scaffolder's fixed author, and answers the trimmed
 * stdout.
 */
export async function git(
  args: string[],
  options?: { cwd?: string },
): Promise<string> {
  const stdout = await runGit(args, {
    cwd: options?.cwd,
    identity: SCAFFOLDER_GIT_AUTHOR,
    timeoutMs: 60_000,
    maxOutputBytes: 16 * 1024 * 1024,
  });
  return stdout.trim();
}
