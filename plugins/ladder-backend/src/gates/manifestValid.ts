import { MANIFEST_FILENAME } from '@khal/plugin-ladder-common';
import type { LadderGate } from '@khal/plugin-ladder-node';

/** `khal-app.json` exists at the ref and is valid. */
export const manifestValidGate: LadderGate = {
  id: 'manifest-valid',
  title: 'khal-app.json is valid',
  description: `Reads ${MANIFEST_FILENAME} as of the promoted ref from the entity's source repository and validates it.`,
  async evaluate(ctx) {
    const result = await ctx.getManifest(ctx.ref);
    if (result.status === 'valid') {
      return {
        status: 'passed',
        summary: `${MANIFEST_FILENAME} at ${ctx.ref} is valid (${result.manifest.name}, sha256 ${result.digest.slice(0, 12)})`,
      };
    }
    if (result.status === 'invalid') {
      const first = result.problems[0];
      return {
        status: 'failed',
        summary: `${MANIFEST_FILENAME} at ${ctx.ref} has ${result.problems.length} problem(s); first: ${first?.path}: ${first?.message}`,
        howToFix: result.problems
          .slice(0, 10)
          .map(p => `${p.path}: ${p.fix ?? p.message}`)
          .join('; '),
        waitingFor: `a valid ${MANIFEST_FILENAME}`,
      };
    }
    return {
      status: 'failed',
      summary: `${MANIFEST_FILENAME} could not be read at ${ctx.ref}: ${result.reason}`,
      howToFix: result.howToFix,
      waitingFor: `a readable ${MANIFEST_FILENAME}`,
    };
  },
};
