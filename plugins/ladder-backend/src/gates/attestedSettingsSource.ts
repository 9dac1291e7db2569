import type { SettingsSource } from '@khal/plugin-ladder-node';
import type { LadderStore } from '../database/LadderStore';

/**
 * Setting names attested by the CLI: evidence of kind `env-contract` with `data.supplied`
 * (a list of names) for the rung and ref. Supports every rung.
 */
export function createAttestedSettingsSource(store: LadderStore): SettingsSource {
  return {
    id: 'attested',
    supports: () => true,
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
