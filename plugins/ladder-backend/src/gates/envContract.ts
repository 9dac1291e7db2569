import { settingsForRung } from '@khal/plugin-ladder-common';
import type { LadderGate } from '@khal/plugin-ladder-node';
import { ATTESTED_SOURCE_ID } from './attestedSettingsSource';

/**
 * The settings the manifest requires for this rung are supplied, according to the settings
 * sources that support the rung. Lists what is missing by name; never looks at values.
 */
export const envContractGate: LadderGate = {
  id: 'env-contract',
  title: 'Settings supplied',
  description: 'Every setting khal-app.json requires for the rung is supplied (names only, never values).',
  async evaluate(ctx) {
    const read = await ctx.getManifest(ctx.ref);
    if (read.status !== 'valid') {
      return {
        status: 'failed',
        summary: `the env contract cannot be checked: khal-app.json at ${ctx.ref} is ${read.status === 'invalid' ? 'invalid' : 'unreadable'}`,
        howToFix: read.status === 'unavailable' ? read.howToFix : 'fix khal-app.json first (see the manifest-valid gate)',
        waitingFor: 'a valid khal-app.json',
      };
    }
    const required = settingsForRung(read.manifest, [ctx.rung.id, ...ctx.rung.aliases]).filter(
      s => s.required && s.default === undefined,
    );
    if (required.length === 0) {
      return { status: 'passed', summary: `khal-app.json requires no settings for ${ctx.rung.title}` };
    }
    const supplied = await ctx.getSettingsSupplied();
    const names = new Set(supplied.names);
    const missing = required.filter(s => !names.has(s.name)).map(s => s.name);
    if (missing.length === 0) {
      return {
        status: 'passed',
        summary: `all ${required.length} required setting(s) are supplied (${supplied.answeredBy.join(', ')})`,
      };
    }
    // Attestations count only where nothing observes the rung (see attestedSettingsSource).
    const attested = supplied.answeredBy.includes(ATTESTED_SOURCE_ID) || supplied.unknown.some(u => u.sourceId === ATTESTED_SOURCE_ID);
    const attest = `khal evidence push --kind env-contract --target ${ctx.rung.id} --ref ${ctx.ref}`;
    if (supplied.answeredBy.length === 0) {
      return {
        status: 'pending',
        summary: `cannot tell which settings are supplied for ${ctx.rung.title}: ${
          supplied.unknown.map(u => `${u.sourceId}: ${u.reason}`).join('; ') || 'no settings source supports this rung'
        }`,
        howToFix: attested
          ? `attest the supplied names: ${attest}`
          : `make the settings observable where ${ctx.rung.title} runs (the reason above says what is missing); an attestation does not count on a rung whose settings are observed`,
        waitingFor: attested ? 'an env-contract attestation' : 'observed settings',
      };
    }
    return {
      status: ctx.mode === 'verify' ? 'pending' : 'failed',
      summary: `missing setting(s) for ${ctx.rung.title}: ${missing.join(', ')}`,
      howToFix: attested
        ? `supply ${missing.join(', ')} as App Settings of ${ctx.rung.id}, then attest them again (${attest})`
        : `supply ${missing.join(', ')} where ${ctx.rung.title} runs (${supplied.answeredBy.join(', ')} observes them: e.g. wire them into the Deployment from a Secret or ConfigMap)`,
      waitingFor: `settings ${missing.join(', ')}`,
    };
  },
};
