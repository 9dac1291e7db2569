/*
 * The "whom to ask" footer: every blocked gate and every failed command on a rung ends with the
 * people who can unblock it (from the ladder config: the rung's contacts and approver groups)
 * and the command that writes a ready-to-send help request. One module, so every command says
 * it the same way.
 */

/** The parts of a rung (as the portal shows it) that say who can unblock it. */
export interface RungContactsInput {
  id: string;
  title: string;
  mutationPolicy?: string;
  approvers?: { groups: string[]; minimum: number };
  metadata?: { contacts: string[]; customer?: string };
}

/** Who can unblock a rung, as data (for `--json`) and as sentences. */
export interface WhomToAsk {
  rung: string;
  contacts: string[];
  approverGroups: string[];
  helpCommand: string;
  lines: string[];
}

/** A value quoted for a POSIX shell only when it needs it (rung ids and aliases never do). */
function shellWord(value: string): string {
  return /^[A-Za-z0-9_./:@-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Who can unblock `rung`, and the `khal help-request` line for `target` (the name the person
 * typed, else the rung id). `entity` is added to the command when it is not the current app's.
 */
export function whomToAsk(
  rung: RungContactsInput,
  options: { target?: string; entityRef?: string } = {},
): WhomToAsk {
  const contacts = rung.metadata?.contacts ?? [];
  const approverGroups = rung.approvers?.groups ?? [];
  const who: string[] = [];
  if (contacts.length) who.push(`${contacts.join(', ')} (contacts of ${rung.title})`);
  if (approverGroups.length) {
    const minimum = rung.approvers?.minimum ?? 1;
    who.push(
      `${approverGroups.join(' or ')} (approvers; ${minimum} ${minimum === 1 ? 'approval' : 'approvals'} needed)`,
    );
  }
  if (!who.length && rung.mutationPolicy === 'operators') {
    who.push('the operators (members of the ladder’s operators group)');
  }
  const helpCommand = [
    'khal help-request --target',
    shellWord(options.target ?? rung.id),
    ...(options.entityRef ? ['--entity', shellWord(options.entityRef)] : []),
  ].join(' ');
  const lines = [
    who.length
      ? `Who can unblock this: ${who.join('; ')}.`
      : `Who can unblock this: ${rung.title} names no contacts or approvers; ask the owners of the ladder configuration to add metadata.contacts.`,
    `Ask for help: ${helpCommand} (prints a ready message: entity, rung, SHA, failing gates, evidence ids, plan digest)`,
  ];
  return { rung: rung.id, contacts, approverGroups, helpCommand, lines };
}

/** The footer for a failure where only the target the person typed is known (no rung read). */
export function helpRequestHint(target: string): string[] {
  return [
    `Ask for help: khal help-request --target ${shellWord(target)} (names who can unblock ${target} and prints a ready message)`,
  ];
}
