import type { SettingsSource } from '@khal/plugin-ladder-node';
import type { LadderStore } from '../database/LadderStore';

/** The id of the attested settings source. */
export const ATTESTED_SOURCE_ID = 'attested';

/**
 * Setting names attested by the CLI: evidence of kind `env-contract` with `data.supplied`
 * (a list of names) for the rung and ref. An attestation is someone's word, so it counts only on
 * rungs that no other source observes: where one does (e.g. the Kubernetes source on a rung with
 * a cluster), what it observes decides, and when it cannot tell, the settings stay unknown.
 * `observers` are the other sources (registered by modules before the engine asks).
 */
export function createAttestedSettingsSource(
  store: LadderStore,
  observers: ReadonlyArray<SettingsSource>,
): SettingsSource {
  return {
    id: ATTESTED_SOURCE_ID,
    supports: rung => !observers.some(o => o.id !== ATTESTED_SOURCE_ID && o.supports(rung)),
    async suppliedNames(ctx) {
      const found = await store.findEvidence({
        entityRef: ctx.entityRef,
        rungId: ctx.rung.id,
        ref: ctx.ref,
        kinds: ['env-contract'],
        limit: 20,
      });
      const attested = found.find(e => Array.isArray(e.data?.supplied));
      if (!attested) {
        return {
          unknown: `nothing attested for ${ctx.ref} on ${ctx.rung.id} (khal evidence push --kind env-contract --target ${ctx.rung.id} --ref ${ctx.ref})`,
        };
      }
      return { names: (attested.data!.supplied as unknown[]).filter((n): n is string => typeof n === 'string') };
    },
  };
}
