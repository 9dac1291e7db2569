/*
 * The "whom to ask" footer: every blocked gate and every failed command on a rung ends with the
 * people who can unblock it (from the ladder config: the rung's contacts and approver groups)
 * and the command that writes a ready-to-send help request. One module, so every command says
 * it the same way (the portal says it from the same ladder-common definition).
 */
import { shellWord, unblockersText, whoCanUnblock } from '@khal/plugin-ladder-common';

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

/**
 * Who can unblock `rung`, and the `khal help-request` line for `target` (the name the person
 * typed, else the rung id). `entityRef` is added to the command when it is not the current app's.
 */
export function whomToAsk(
  rung: RungContactsInput,
  options: { target?: string; entityRef?: string } = {},
): WhomToAsk {
  const who = whoCanUnblock(rung, options);
  const people = unblockersText(who, rung.title);
  const lines = [
    people
      ? `Who can unblock this: ${people}.`
      : `Who can unblock this: ${rung.title} names no contacts or approvers; ask the owners of the ladder configuration to add metadata.contacts.`,
    `Ask for help: ${who.helpCommand} (prints a ready message: entity, rung, SHA, failing gates, evidence ids, plan digest)`,
  ];
  return {
    rung: rung.id,
    contacts: who.contacts,
    approverGroups: who.approverGroups,
    helpCommand: who.helpCommand,
    lines,
  };
}

/** The footer for a failure where only the target the person typed is known (no rung read). */
export function helpRequestHint(target: string): string[] {
  return [
    `Ask for help: khal help-request --target ${shellWord(target)} (names who can unblock ${target} and prints a ready message)`,
  ];
}
