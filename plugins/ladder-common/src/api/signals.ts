/**
 * Signal channels the ladder backend publishes on (through the signals plugin), so entity pages
 * and the approvals inbox update live.
 */

/** Every change of an entity's ladder (promotion, approval, evidence, placement). */
export function ladderEntityChannel(entityRef: string): string {
  return `ladder:entity:${entityRef.toLocaleLowerCase('en-US')}`;
}

/** Any change that may alter someone's approvals inbox. */
export const LADDER_APPROVALS_CHANNEL = 'ladder:approvals';

/** The message body of both channels. */
export interface LadderChangeSignal {
  entityRef: string;
  promotionId?: string;
  phase?: string;
  change: 'promotion' | 'approval' | 'evidence' | 'placement' | 'drift' | 'policy';
}
