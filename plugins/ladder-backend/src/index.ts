/**
 * The Khal Ladder backend plugin: promotion engine, gates, approvals, evidence, audit and the
 * REST API under /api/ladder.
 *
 * @packageDocumentation
 */
export { ladderPlugin as default } from './plugin';
export type { LadderStore } from './database/LadderStore';
