import {
  freezesOf,
  windowsOf,
  type LadderDefinition,
  type LifecycleStep,
  type RungLifecycle,
  type LadderSummary,
  type RungConfig,
  type RungSummary,
} from '@khal/plugin-ladder-common';
import { renderForPeople } from './rungCommands';

/** Placeholder values of one entity on one rung (see commandValues). */
type Values = Record<string, string | undefined>;

/**
 * A configured rung as the API shows it. With `values` (an entity's view) its commands and
 * namespace are rendered for the entity, as the deploy plan renders them; without, they are the
 * configured templates (the ladder definitions).
 */
export function rungSummary(
  rung: RungConfig,
  values?: Values,
  ladder?: Pick<LadderDefinition, 'freezes' | 'windows'>,
): RungSummary {
  const freezes = freezesOf(ladder ?? {}, rung);
  const render = (template: string) => (values ? renderForPeople(template, values) : template);
  const windows = windowsOf(ladder ?? {}, rung);
  const commands = Object.fromEntries(
    Object.entries(rung.commands).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
  return {
    id: rung.id,
    title: rung.title,
    aliases: rung.aliases,
    audience: rung.audience,
    runtime: rung.runtime,
    purpose: rung.purpose,
    optional: rung.optional,
    ...(rung.proofOptional ? { proofOptional: true } : {}),
    mutationPolicy: rung.mutationPolicy,
    ...(rung.host ? { host: rung.host } : {}),
    ...(rung.kubernetes
      ? {
          kubernetes: {
            cluster: rung.kubernetes.cluster,
            namespace: values ? renderForPeople(rung.kubernetes.namespace, values) : rung.kubernetes.namespace,
          },
        }
      : {}),
    ...(rung.approvers
      ? {
          approvers: {
            groups: rung.approvers.groups,
            minimum: rung.approvers.minimum,
            rules: rung.approvers.rules.map(r => ({ title: r.title, groups: r.groups, minimum: r.minimum })),
          },
        }
      : {}),
    entryGates: rung.entryGates.map(g => ({ id: g.id, ...(g.title ? { title: g.title } : {}) })),
    proofChecks: rung.proofChecks.map(g => ({ id: g.id, ...(g.title ? { title: g.title } : {}) })),
    commands: values
      ? Object.fromEntries(Object.entries(commands).map(([name, template]) => [name, renderForPeople(template, values)]))
      : commands,
    ...(rung.metadata ? { metadata: rung.metadata } : {}),
    ...(rung.lifecycle ? { lifecycle: renderLifecycle(rung.lifecycle, render) } : {}),
    ...(rung.endpoints ? { endpoints: rung.endpoints.map(e => ({ name: e.name, url: render(e.url) })) } : {}),
    ...(rung.boundary ? { boundary: rung.boundary } : {}),
    ...(freezes.length ? { freezes } : {}),
    ...(windows.length ? { windows } : {}),
    ...(rung.minSoak ? { minSoakSeconds: rung.minSoak } : {}),
  };
}

/** Lifecycle steps per action, commands rendered like the rung's other commands. */
function renderLifecycle(
  lifecycle: RungLifecycle,
  render: (template: string) => string,
): NonNullable<RungSummary['lifecycle']> {
  return Object.fromEntries(
    Object.entries(lifecycle)
      .filter((entry): entry is [string, LifecycleStep[]] => Array.isArray(entry[1]))
      .map(([action, steps]) => [
        action,
        steps.map(step => ({
          title: step.title === step.run ? render(step.title) : step.title,
          run: render(step.run),
          ...(step.howToFix ? { howToFix: step.howToFix } : {}),
          ...(step.checks ? { checks: step.checks } : {}),
        })),
      ]),
  );
}

export function ladderSummary(ladder: LadderDefinition): LadderSummary {
  return { id: ladder.id, title: ladder.title, description: ladder.description, rungs: ladder.rungs.map(r => rungSummary(r, undefined, ladder)) };
}

/** The ladder of one entity: each rung's commands rendered with `valuesFor` (see commandValues). */
export function entityLadderSummary(
  ladder: LadderDefinition,
  valuesFor: (rung: RungConfig, index: number) => Values,
): LadderSummary {
  return { ...ladderSummary(ladder), rungs: ladder.rungs.map((rung, i) => rungSummary(rung, valuesFor(rung, i), ladder)) };
}

/** A commit sha as people read it (7 characters); other refs unchanged. */
export function shortRef(ref: string): string {
  return /^[0-9a-f]{8,40}$/i.test(ref) ? ref.slice(0, 7) : ref;
}
