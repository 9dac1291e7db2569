/**
 * Who can unblock a rung, from the ladder config: the rung's contacts and its approver groups
 * (with the quorum), and the command that writes a ready help request. The portal's blocked
 * gates and the CLI's failures say it from this one definition.
 */
export interface UnblockInput {
  id: string;
  mutationPolicy?: string;
  approvers?: { groups: string[]; minimum: number };
  metadata?: { contacts: string[] };
}

/** @public */
export interface WhoCanUnblock {
  contacts: string[];
  approverGroups: string[];
  /** Distinct approvals needed from those groups (0 without approvers). */
  minimum: number;
  /** Only the operators group may change the rung and it names nobody else. */
  operatorsOnly: boolean;
  /** `khal help-request --target <rung>`. */
  helpCommand: string;
}

/** A value quoted for a POSIX shell only when it needs it (rung ids and aliases never do). */
export function shellWord(value: string): string {
  return /^[A-Za-z0-9_./:@-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export function whoCanUnblock(
  rung: UnblockInput,
  options: { target?: string; entityRef?: string } = {},
): WhoCanUnblock {
  const contacts = rung.metadata?.contacts ?? [];
  const approverGroups = rung.approvers?.groups ?? [];
  return {
    contacts,
    approverGroups,
    minimum: approverGroups.length ? rung.approvers?.minimum ?? 1 : 0,
    operatorsOnly: !contacts.length && !approverGroups.length && rung.mutationPolicy === 'operators',
    helpCommand: [
      'khal help-request --target',
      shellWord(options.target ?? rung.id),
      ...(options.entityRef ? ['--entity', shellWord(options.entityRef)] : []),
    ].join(' '),
  };
}

/** The people as one sentence fragment, or undefined when the rung names nobody. */
export function unblockersText(who: WhoCanUnblock, rungTitle: string): string | undefined {
  const parts: string[] = [];
  if (who.contacts.length) parts.push(`${who.contacts.join(', ')} (contacts of ${rungTitle})`);
  if (who.approverGroups.length) {
    parts.push(
      `${who.approverGroups.join(' or ')} (approvers; ${who.minimum} ${who.minimum === 1 ? 'approval' : 'approvals'} needed)`,
    );
  }
  if (who.operatorsOnly) parts.push('the operators (members of the ladder’s operators group)');
  return parts.length ? parts.join('; ') : undefined;
}
