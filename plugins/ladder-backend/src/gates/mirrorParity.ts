import { createHash } from 'node:crypto';
import {
  MIRROR_EVIDENCE_KIND,
  envContractText,
  mirrorEvidenceDataSchema,
  type Evidence,
} from '@khal/plugin-ladder-common';
import type { GateContext, GateEvaluation, LadderGate } from '@khal/plugin-ladder-node';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The rung the mirror copies: `config.source` (a rung id), else the closest rung below. */
function sourceRung(ctx: GateContext) {
  const id = typeof ctx.config.source === 'string' ? ctx.config.source : undefined;
  return id ? ctx.ladder.rungs.find(r => r.id === id || r.aliases.includes(id)) : ctx.previousRungs[0];
}

/**
 * A mirrored rung is proven only when its mirror evidence for the SHA says the mirror and the
 * upstream both hold that SHA, and the manifest and env-contract digests it carries equal the
 * ones of the same SHA on the rung it mirrors, which must itself be proven for that SHA. The
 * upstream repository (the catalog's source) stays the source of truth: a mirror that differs
 * proves nothing.
 */
export const mirrorParityGate: LadderGate = {
  id: 'mirror-parity',
  title: 'Mirror carries what was proven on the rung it mirrors',
  description:
    'Mirror evidence (khal evidence mirror) for the SHA: upstream and mirror at the SHA, manifest and env-contract digests equal to those of the SHA proven on the source rung (config.source, default the rung below).',
  async evaluate(ctx): Promise<GateEvaluation> {
    const source = sourceRung(ctx);
    const record = `khal evidence mirror --target ${ctx.rung.id} (from a checkout at ${ctx.ref})`;
    const notYet = ctx.mode === 'entry' ? 'failed' : 'pending';
    if (!source) {
      return {
        status: 'error',
        summary: `${ctx.rung.title} has no rung to mirror`,
        howToFix: `set config.source of the mirror-parity check on rung "${ctx.rung.id}" to the rung it mirrors (e.g. local)`,
      };
    }
    const found: Evidence[] = await ctx.evidence.find({ rung: ctx.rung.id, ref: ctx.ref, kinds: [MIRROR_EVIDENCE_KIND] });
    const latest = found[0];
    if (!latest) {
      return {
        status: notYet,
        summary: `no mirror evidence for ${ctx.ref} on ${ctx.rung.title}`,
        howToFix: `run \`${record}\``,
        waitingFor: 'mirror evidence',
      };
    }
    const parsed = mirrorEvidenceDataSchema.safeParse(latest.data ?? {});
    if (!parsed.success) {
      return {
        status: 'failed',
        summary: `mirror evidence ${latest.id} does not say what the mirror carries (${parsed.error.issues
          .map(i => `${i.path.join('.') || 'data'}: ${i.message}`)
          .join('; ')})`,
        howToFix: `record it with \`${record}\`, which reads the remotes and digests from git`,
        evidenceIds: [latest.id],
      };
    }
    const data = parsed.data;
    const ids = [latest.id];
    if (data.exitCode !== 0) {
      return {
        status: 'failed',
        summary: `the latest mirror evidence ${latest.id} reports a failure (exit ${data.exitCode})`,
        howToFix: `fix what it reports, then run \`${record}\` again`,
        evidenceIds: ids,
      };
    }
    const off = (['upstream', 'mirror'] as const).filter(side => data[side].sha !== ctx.ref);
    if (off.length) {
      return {
        status: 'failed',
        summary: off.map(side => `the ${side} (${data[side].remote}) is at ${data[side].sha}, not ${ctx.ref}`).join('; '),
        howToFix: `push ${ctx.ref} to the upstream and let the mirror sync (git push ${data.mirror.remote}), then run \`${record}\``,
        evidenceIds: ids,
      };
    }
    const proof = await ctx.proveRung(source.id, ctx.ref);
    const unproven = proof.filter(r => r.status !== 'passed');
    if (proof.length === 0 || unproven.length) {
      return {
        status: notYet,
        summary: `${ctx.ref} is not proven on ${source.title}${
          unproven.length ? `: ${unproven[0].title}: ${unproven[0].summary}` : ' (it has no proof checks)'
        }; a mirror proves nothing the rung it mirrors did not`,
        howToFix: unproven[0]?.howToFix ?? `prove ${ctx.ref} on ${source.title} first`,
        evidenceIds: ids,
        waitingFor: `proof on ${source.title}`,
      };
    }
    const manifest = await ctx.getManifest(ctx.ref);
    if (manifest.status !== 'valid') {
      return {
        status: 'failed',
        summary: `the manifest of ${ctx.ref} cannot be compared: ${manifest.status === 'invalid' ? 'it is invalid' : 'it cannot be read'}`,
        howToFix: 'fix khal-app.json at that SHA (`khal manifest validate`)',
        evidenceIds: ids,
      };
    }
    const expected = { manifestDigest: manifest.digest, envContractDigest: sha256(envContractText(manifest.manifest)) };
    const differs = (['manifestDigest', 'envContractDigest'] as const).filter(k => data[k] !== expected[k]);
    if (differs.length) {
      return {
        status: 'failed',
        summary: `the mirror's ${differs
          .map(k => `${k === 'manifestDigest' ? 'manifest' : 'env contract'} digest ${data[k].slice(0, 12)}… differs from ${source.title}'s ${expected[k].slice(0, 12)}…`)
          .join(' and ')} at ${ctx.ref}`,
        howToFix: `the mirror must carry ${ctx.ref} unchanged: reset the mirror checkout to it (no local edits), then run \`${record}\``,
        evidenceIds: ids,
      };
    }
    return {
      status: 'passed',
      summary: `${data.hostAlias} mirrors ${ctx.ref} with the manifest and env contract proven on ${source.title}`,
      evidenceIds: ids,
    };
  },
};
