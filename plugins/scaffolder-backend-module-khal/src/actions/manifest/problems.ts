import { InputError } from '@backstage/errors';
import {
  ManifestProblem,
  formatManifestProblems,
} from '@khal/plugin-ladder-common';

/** One InputError listing every problem as `$.env[1].name: ... — fix: ...`. */
export function manifestProblemsError(
  what: string,
  problems: ReadonlyArray<ManifestProblem>,
): InputError {
  const count =
    problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return new InputError(
    `${what} has ${count}:\n${formatManifestProblems(problems)}`,
  );
}
