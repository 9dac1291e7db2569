import type { LadderDefinition, LadderSummary, RungConfig, RungSummary } from '@khal/plugin-ladder-common';

/** A configured rung as the API shows it. */
export function rungSummary(rung: RungConfig): RungSummary {
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
    ...(rung.kubernetes ? { kubernetes: { cluster: rung.kubernetes.cluster, namespace: rung.kubernetes.namespace } } : {}),
    ...(rung.approvers ? { approvers: { groups: rung.approvers.groups, minimum: rung.approvers.minimum } } : {}),
    entryGates: rung.entryGates.map(g => ({ id: g.id, ...(g.title ? { title: g.title } : {}) })),
    proofChecks: rung.proofChecks.map(g => ({ id: g.id, ...(g.title ? { title: g.title } : {}) })),
    commands: Object.fromEntries(Object.entries(rung.commands).filter(([, v]) => typeof v === 'string')) as Record<
      string,
      string
    >,
    ...(rung.metadata ? { metadata: rung.metadata } : {}),
  };
}

export function ladderSummary(ladder: LadderDefinition): LadderSummary {
  return { id: ladder.id, title: ladder.title, description: ladder.description, rungs: ladder.rungs.map(rungSummary) };
}

/** A commit sha as people read it (7 characters); other refs unchanged. */
export function shortRef(ref: string): string {
  return /^[0-9a-f]{8,40}$/i.test(ref) ? ref.slice(0, 7) : ref;
}
