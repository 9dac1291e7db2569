import type { Knex } from 'knex';
import { phaseTransitions, terminalPhases } from '@khal/plugin-ladder-common';

/** "from>to" for every edge of the state machine: the only ways a phase may change. */
const edges = new Set(phaseTransitions.map(t => `${t.from}>${t.to}`));

/**
 * What must hold in the database after a fault, whatever the fault interrupted. Returns the
 * violations as readable lines (an empty list when everything holds), so a failing test says
 * which promotion broke which rule.
 */
export async function ladderInvariantViolations(knex: Knex): Promise<string[]> {
  const problems: string[] = [];
  const promotions = await knex('ladder_promotions').orderBy('created_at');
  const audit = await knex('ladder_audit_events')
    .whereNotNull('promotion_id')
    .orderBy('id');
  const approvals = await knex('ladder_approvals');
  const placements = await knex('ladder_placements');

  // At most one open promotion per entity and rung.
  const open = new Map<string, number>();
  for (const p of promotions.filter(q => !terminalPhases.has(q.phase))) {
    const key = `${p.entity_ref}|${p.to_rung}`;
    open.set(key, (open.get(key) ?? 0) + 1);
  }
  for (const [key, n] of open)
    if (n > 1) problems.push(`${n} open promotions for ${key}`);

  for (const p of promotions) {
    // Every state change has exactly one audit row: the phase rows form one unbroken chain from
    // creation to the current phase.
    const chain = audit.filter(e => e.promotion_id === p.id && e.to_phase);
    if (
      chain.length === 0 ||
      chain[0].from_phase !== null ||
      chain[0].to_phase !== 'Checking'
    ) {
      problems.push(
        `promotion ${p.id}: its audit trail does not start with its creation`,
      );
      continue;
    }
    for (let k = 1; k < chain.length; k++) {
      if (chain[k].from_phase !== chain[k - 1].to_phase) {
        problems.push(
          `promotion ${p.id}: audit row ${chain[k].id} moves from ${
            chain[k].from_phase
          }, but the promotion was ${chain[k - 1].to_phase}`,
        );
      }
    }
    // No phase goes backwards or sideways: every change is an edge of the state machine.
    for (const e of chain.slice(1)) {
      if (
        e.from_phase !== e.to_phase &&
        !edges.has(`${e.from_phase}>${e.to_phase}`)
      ) {
        problems.push(
          `promotion ${p.id}: audit row ${e.id} moves ${e.from_phase} > ${e.to_phase}, which no transition allows`,
        );
      }
    }
    // A deploy claim is used once: one move into Deploying at most, and only a claimed promotion has a claimant.
    const claims = chain.filter(
      e => e.to_phase === 'Deploying' && e.from_phase !== 'Deploying',
    ).length;
    if (claims > 1)
      problems.push(`promotion ${p.id} was claimed ${claims} times`);
    if ((claims === 1) !== Boolean(p.claimed_by)) {
      problems.push(
        `promotion ${
          p.id
        }: ${claims} claim(s) in its audit trail but claimed_by is ${
          p.claimed_by ?? 'empty'
        }`,
      );
    }
    const last = chain[chain.length - 1].to_phase;
    if (last !== p.phase)
      problems.push(
        `promotion ${p.id} is ${p.phase} but its audit trail ends at ${last}`,
      );

    // A promoted promotion moved exactly one placement; any other moved none.
    const moved = audit.filter(
      e => e.promotion_id === p.id && e.action === 'placement.moved',
    ).length;
    if (moved !== (p.phase === 'Promoted' ? 1 : 0)) {
      problems.push(
        `promotion ${p.id} (${p.phase}) has ${moved} placement.moved audit rows`,
      );
    }

    // One decision per person, never the requester's.
    const deciders = approvals
      .filter(a => a.promotion_id === p.id)
      .map(a => a.approver);
    if (new Set(deciders).size !== deciders.length)
      problems.push(`promotion ${p.id}: someone decided twice`);
    if (deciders.includes(p.requested_by))
      problems.push(`promotion ${p.id}: the requester decided`);
  }

  // The newest promoted promotion of each entity and rung is what the placement holds.
  const newest = new Map<string, any>();
  for (const p of promotions.filter(q => q.phase === 'Promoted')) {
    const key = `${p.entity_ref}|${p.to_rung}`;
    const moved = audit.find(
      e => e.promotion_id === p.id && e.action === 'placement.moved',
    );
    const seen = newest.get(key);
    if (!seen || moved.id > seen.movedId)
      newest.set(key, { ...p, movedId: moved.id });
  }
  for (const [key, p] of newest) {
    const placement = placements.find(
      x => `${x.entity_ref}|${x.rung_id}` === key,
    );
    if (
      !placement ||
      placement.ref !== p.ref ||
      placement.promotion_id !== p.id
    ) {
      problems.push(
        `${key} should hold ${p.ref} (promotion ${p.id}) but holds ${
          placement?.ref ?? 'nothing'
        }`,
      );
    }
  }
  return problems;
}
