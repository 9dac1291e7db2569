import type {
  EntityLadderResponse,
  RungSummary,
  RungView,
} from '../client/contract';
import { CliError, ExitCode } from '../exitCodes';

/** A rung id or alias, matched against the entity's ladder (ladders come from config). */
export function findRung(
  ladder: EntityLadderResponse['ladder'],
  target: string,
): RungSummary | undefined {
  const wanted = target.trim().toLocaleLowerCase('en-US');
  return (
    ladder.rungs.find(r => r.id === wanted) ??
    ladder.rungs.find(r => r.aliases.includes(wanted))
  );
}

export function describeRungs(ladder: EntityLadderResponse['ladder']): string {
  return ladder.rungs
    .map(r => (r.aliases.length ? `${r.id} (${r.aliases.join(', ')})` : r.id))
    .join(', ');
}

/** The rung for `target`, or a not-found error that lists the ladder's rungs. */
export function resolveTarget(
  entity: EntityLadderResponse,
  target: string,
): { rung: RungSummary; view: RungView | undefined } {
  const rung = findRung(entity.ladder, target);
  if (!rung) {
    throw new CliError(
      `no rung "${target}" on ladder ${entity.ladder.id} of ${
        entity.entityRef
      } — rungs: ${describeRungs(entity.ladder)}`,
      ExitCode.NotFound,
    );
  }
  return { rung, view: entity.rungs.find(v => v.rung.id === rung.id) };
}
