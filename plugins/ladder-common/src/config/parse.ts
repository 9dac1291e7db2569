import { z } from 'zod';
import { GateRef, LadderConfig, LadderDefinition, RungConfig, ladderConfigSchema } from './schema';

/** Formats a zod issue path the way app-config readers see it: `ladder.ladders[0].rungs[2].title`. */
export function formatConfigPath(root: string, path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : `${acc}.${String(key)}`),
    root,
  );
}

/** Thrown when the `ladder` configuration is invalid. Lists every problem with its config path. */
export class LadderConfigError extends Error {
  readonly problems: Array<{ path: string; message: string }>;
  constructor(problems: Array<{ path: string; message: string }>) {
    super(
      `Invalid ladder configuration:\n${problems
        .map(p => `  - ${p.path}: ${p.message}`)
        .join('\n')}`,
    );
    this.name = 'LadderConfigError';
    this.problems = problems;
  }
}

/**
 * Validates raw `ladder` config (e.g. `config.get('ladder')`) and returns it with defaults.
 * `knownGateIds`, when given, makes an unknown gate id an error naming its config path.
 */
export function parseLadderConfig(
  raw: unknown,
  options?: { knownGateIds?: Iterable<string>; root?: string },
): LadderConfig {
  const root = options?.root ?? 'ladder';
  const result = ladderConfigSchema.safeParse(raw);
  if (!result.success) {
    throw new LadderConfigError(issuesToProblems(root, result.error));
  }
  if (options?.knownGateIds) {
    const known = new Set(options.knownGateIds);
    const problems: Array<{ path: string; message: string }> = [];
    result.data.ladders.forEach((ladder, li) =>
      ladder.rungs.forEach((rung, ri) =>
        (['entryGates', 'proofChecks'] as const).forEach(list =>
          rung[list].forEach((gate, gi) => {
            if (!known.has(gate.id)) {
              problems.push({
                path: formatConfigPath(root, ['ladders', li, 'rungs', ri, list, gi]),
                message: `unknown gate "${gate.id}"; known gates are ${[...known]
                  .sort()
                  .join(', ')} (or install the backend module that provides it)`,
              });
            }
          }),
        ),
      ),
    );
    if (problems.length) throw new LadderConfigError(problems);
  }
  return result.data;
}

function issuesToProblems(root: string, error: z.ZodError) {
  return error.issues.map(issue => ({
    path: formatConfigPath(root, issue.path),
    message: describeIssue(issue),
  }));
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    return `is required (${issue.message})`;
  }
  if (issue.code === 'unrecognized_keys') {
    return `unknown key(s) ${issue.keys
      .map(k => `"${k}"`)
      .join(', ')}; remove them or check their spelling`;
  }
  return issue.message;
}

/** Finds a ladder by id; the entity annotation value, or the default ladder when empty. */
export function findLadder(config: LadderConfig, id: string | undefined): LadderDefinition | undefined {
  const wanted = id?.trim() || config.defaultLadder || config.ladders[0].id;
  return config.ladders.find(l => l.id === wanted);
}

/** Resolves a target name (rung id or alias) to the rung and its index on the ladder. */
export function resolveRung(
  ladder: LadderDefinition,
  target: string,
): { rung: RungConfig; index: number } | undefined {
  const t = target.trim();
  const index = ladder.rungs.findIndex(r => r.id === t || r.aliases.includes(t));
  return index < 0 ? undefined : { rung: ladder.rungs[index], index };
}

/**
 * The rung whose proof a promotion into `index` depends on: the closest non-optional rung below,
 * or an optional one when it holds a placement (callers pass `isPlaced`).
 */
export function previousRungs(ladder: LadderDefinition, index: number): RungConfig[] {
  return ladder.rungs.slice(0, index).reverse();
}

/** All gate ids a ladder config references, for start-up checks. */
export function referencedGates(config: LadderConfig): GateRef[] {
  return config.ladders.flatMap(l => l.rungs.flatMap(r => [...r.entryGates, ...r.proofChecks]));
}

/**
 * Fills `{{placeholder}}` templates as plain text (namespace patterns). Commands people copy are
 * filled with `renderCommand`, which shell-quotes each value. Unknown placeholders are left visible.
 */
export function renderTemplate(template: string, values: Record<string, string | undefined>): string {
  return template.replace(/\{\{\s*([a-zA-Z0-9_.]+)\s*\}\}/g, (match, key: string) => values[key] ?? match);
}

/** The placeholders a template uses that `values` cannot fill. */
export function missingPlaceholders(template: string, values: Record<string, string | undefined>): string[] {
  return [...template.matchAll(/\{\{\s*([a-zA-Z0-9_.]+)\s*\}\}/g)]
    .map(m => m[1])
    .filter(k => values[k] === undefined);
}
