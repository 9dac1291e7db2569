import type { Config } from '@backstage/config';
import {
  DeployPlan,
  KUBERNETES_ID_ANNOTATION,
  MutationPolicy,
  RungConfig,
  UnresolvedFact,
  isDns1123Label,
  missingPlaceholders,
  renderCommand,
  openPhases,
  renderTemplate,
  resolveRung,
  settingsForRung,
  toolsOf,
} from '@khal/plugin-ladder-common';
import { InputError } from '@backstage/errors';
import type { LadderStore } from '../database/LadderStore';
import type { ManifestReader } from '../manifest/ManifestReader';
import { UnresolvedFactsError } from '../router/httpErrors';
import type { LadderEntities } from './LadderEntities';
import type { PromotionEngine } from './PromotionEngine';
import type { Caller } from './Caller';
import type { GroupMemberships } from './GroupMemberships';
import { DryRunContext, judgeDryRunsNow } from '../gates/dryRunAcceptance';
import { planDigestOf, planFactsOf } from './planDigest';

/** Cluster names declared in the standard `kubernetes` config (config cluster locators). */
export function kubernetesClusterNames(config: Config): string[] | undefined {
  const kubernetes = config.getOptionalConfig('kubernetes');
  if (!kubernetes) return undefined;
  return (kubernetes.getOptionalConfigArray('clusterLocatorMethods') ?? []).flatMap(m =>
    (m.getOptionalConfigArray('clusters') ?? []).map(c => c.getString('name')),
  );
}

const policyDescriptions: Record<MutationPolicy, string> = {
  self: 'anyone who may request promotions changes this rung (their own machine)',
  'after-dry-run': 'any FDE, once a clean dry-run of the ref against this rung is recorded',
  approval: 'only after the rung approvers cleared the promotion',
  operators: 'only members of the operators group',
};

function placeholderHint(name: string, rung: RungConfig): string {
  switch (name) {
    case 'host':
      return `set "host" on rung "${rung.id}" in the ladder config`;
    case 'cluster':
    case 'namespace':
      return `add kubernetes.cluster and kubernetes.namespace to rung "${rung.id}" in the ladder config`;
    case 'kubernetesId':
      return `add the ${KUBERNETES_ID_ANNOTATION} annotation to the entity, or deploy.kubernetes.id to khal-app.json`;
    case 'ref':
      return 'pass ?ref=<commit or tag>';
    default:
      return `"{{${name}}}" is not a placeholder the ladder knows (entity.name, entity.namespace, ref, rung.id, namespace, cluster, host, kubernetesId)`;
  }
}

function mechanismOf(rung: RungConfig, namespace: string | undefined): string {
  if (rung.kubernetes) {
    return `Kubernetes rollout (the rung deploy command) on cluster ${rung.kubernetes.cluster}${namespace ? `, namespace ${namespace}` : ''} (${rung.runtime})`;
  }
  switch (rung.runtime) {
    case 'pm2':
      return 'PM2 process on the developer machine';
    case 'pm2-mirror':
      return `PM2 process on ${rung.host ?? 'the mirror host'}, from a mirror clone of the app's git remote (a mirror, never the source of truth)`;
    case 'compose':
      return 'docker compose on the developer machine';
    default:
      return `${rung.runtime} on ${rung.host ?? 'its host'}`;
  }
}

/**
 * The deploy plan: what a mutation of a target would touch, resolved before it happens. When a
 * fact cannot be resolved it throws a 422 listing each one and how to configure it, instead of
 * guessing.
 */
export class DeployPlanner {
  constructor(
    private readonly deps: {
      store: LadderStore;
      entities: LadderEntities;
      manifests: ManifestReader;
      engine: PromotionEngine;
      memberships: GroupMemberships;
      operatorsGroup: string;
      /** `ladder.dryRunMaxAgeHours` in ms. */
      dryRunMaxAgeMs: number;
      clusterNames: string[] | undefined;
      /** Whether the caller may request promotions of the entity at all. */
      mayCreate: (caller: Caller, entityRef: string) => Promise<boolean>;
    },
  ) {}

  async plan(caller: Caller, query: { entityRef: string; target: string; ref?: string }): Promise<DeployPlan> {
    const { store, entities, manifests } = this.deps;
    const target = await entities.load(query.entityRef, caller.credentials);
    const resolved = resolveRung(target.ladder, query.target);
    if (!resolved) {
      throw new InputError(
        `ladder "${target.ladder.id}" has no rung "${query.target}"; its rungs are ${target.ladder.rungs.map(r => r.id).join(', ')}`,
      );
    }
    const { rung, index } = resolved;
    const unresolved: UnresolvedFact[] = [];
    const placements = await store.listPlacements([target.entityRef]);
    const below = target.ladder.rungs.slice(0, index).reverse();
    const ref =
      query.ref ??
      below.map(r => placements.find(p => p.rungId === r.id)?.ref).find(Boolean) ??
      placements.find(p => p.rungId === rung.id)?.ref;
    if (!ref) {
      unresolved.push({
        fact: 'ref',
        howToConfigure: `nothing is placed below ${rung.title}: pass ?ref=<commit or tag> to plan a specific ref`,
      });
    }

    const manifestRead = ref ? await manifests.read(target.entity, ref) : undefined;
    const manifest = manifestRead?.status === 'valid' ? manifestRead.manifest : undefined;
    if (manifestRead?.status === 'unavailable') {
      unresolved.push({ fact: 'manifest', howToConfigure: `${manifestRead.reason}: ${manifestRead.howToFix}` });
    } else if (manifestRead?.status === 'invalid') {
      const first = manifestRead.problems[0];
      unresolved.push({
        fact: 'manifest',
        howToConfigure: `khal-app.json at ${ref} is invalid (${first?.path}: ${first?.message}); ${first?.fix ?? 'fix it'} and promote the fixed commit`,
      });
    }

    if (rung.kubernetes) {
      const known = this.deps.clusterNames;
      if (!known?.includes(rung.kubernetes.cluster)) {
        unresolved.push({
          fact: 'cluster',
          howToConfigure: `rung "${rung.id}" names cluster "${rung.kubernetes.cluster}", which is not in the kubernetes config: add it under kubernetes.clusterLocatorMethods[].clusters (known: ${
            known?.length ? known.join(', ') : 'none'
          })`,
        });
      }
    } else if (!rung.host) {
      unresolved.push({
        fact: 'host',
        howToConfigure: `rung "${rung.id}" runs on "${rung.runtime}" but names no host: set "host" (the SSH alias or control plane) on the rung`,
      });
    }

    const values: Record<string, string | undefined> = {
      'entity.name': target.entity.metadata.name,
      'entity.namespace': target.entity.metadata.namespace ?? 'default',
      ref,
      'rung.id': rung.id,
      host: rung.host,
      cluster: rung.kubernetes?.cluster,
      kubernetesId:
        target.entity.metadata.annotations?.[KUBERNETES_ID_ANNOTATION] ?? manifest?.deploy?.kubernetes?.id,
    };
    // Annotations are free text: a Kubernetes id that is not a Kubernetes name is refused, not quoted.
    if (values.kubernetesId !== undefined && !isDns1123Label(values.kubernetesId)) {
      unresolved.push({
        fact: 'kubernetesId',
        howToConfigure: `the Kubernetes id ${JSON.stringify(values.kubernetesId)} is not a Kubernetes name (lower-case letters, digits and "-", at most 63): fix the ${KUBERNETES_ID_ANNOTATION} annotation or deploy.kubernetes.id in khal-app.json`,
      });
    }
    if (rung.kubernetes) {
      const missing = missingPlaceholders(rung.kubernetes.namespace, values);
      if (missing.length) {
        unresolved.push({
          fact: 'namespace',
          howToConfigure: `kubernetes.namespace of rung "${rung.id}" uses ${missing.map(m => `{{${m}}}`).join(', ')}: ${missing
            .map(m => placeholderHint(m, rung))
            .join('; ')}`,
        });
      } else {
        values.namespace = renderTemplate(rung.kubernetes.namespace, values);
        if (!isDns1123Label(values.namespace)) {
          unresolved.push({
            fact: 'namespace',
            howToConfigure: `kubernetes.namespace of rung "${rung.id}" renders ${JSON.stringify(values.namespace)}, which is not a Kubernetes namespace name (lower-case letters, digits and "-", at most 63): change the pattern or the entity name`,
          });
        }
      }
    } else {
      values.namespace = manifest?.deploy?.kubernetes?.namespace;
    }

    const commands: Record<string, string> = {};
    for (const [name, template] of Object.entries(rung.commands)) {
      if (typeof template !== 'string') continue;
      const missing = missingPlaceholders(template, values);
      if (missing.length) {
        unresolved.push({
          fact: `commands.${name}`,
          howToConfigure: `the template uses ${missing.map(m => `{{${m}}}`).join(', ')}, which cannot be filled: ${missing
            .map(m => placeholderHint(m, rung))
            .join('; ')}`,
        });
      } else {
        const rendered = renderCommand(template, values);
        if (rendered.ok) commands[name] = rendered.command;
        else {
          unresolved.push({
            fact: `commands.${name}`,
            howToConfigure: `{{${rendered.placeholder}}} cannot be put into the command safely: ${rendered.reason}`,
          });
        }
      }
    }

    if (unresolved.length > 0 || !ref || !manifestRead || manifestRead.status !== 'valid') {
      throw new UnresolvedFactsError(`${target.entityRef} → ${rung.id}`, unresolved);
    }

    const context = await this.deps.engine.gateContext({ target, rungIndex: index, ref, mode: 'entry' });
    const supplied = await context.getSettingsSupplied();
    const settings = settingsForRung(manifestRead.manifest, [rung.id, ...rung.aliases]).map(s => ({
      name: s.name,
      required: s.required && s.default === undefined,
      secret: s.secret,
      supplied: supplied.answeredBy.length ? supplied.names.includes(s.name) : null,
    }));

    return {
      entityRef: target.entityRef,
      ladderId: target.ladder.id,
      target: query.target,
      rung: { id: rung.id, title: rung.title, index },
      host: rung.host ?? null,
      controlPlane: rung.kubernetes?.cluster ?? rung.host ?? null,
      runtime: rung.runtime,
      mechanism: mechanismOf(rung, values.namespace),
      manifest: { name: manifestRead.manifest.name, ref, digest: manifestRead.digest },
      settings,
      mutationPolicy: await this.policyFor(caller, target.entityRef, rung, ref, context),
      commands,
      planDigest: planDigestOf(
        planFactsOf({
          entity: target.entity,
          entityRef: target.entityRef,
          rung,
          ref,
          manifest: manifestRead.manifest,
          manifestDigest: manifestRead.digest,
        }),
      ),
      tools: Object.fromEntries(Object.entries(commands).map(([name, command]) => [name, toolsOf(command)])),
    };
  }

  /**
   * On `approval` and `operators` rungs a deploy claims an Approved promotion of exactly this
   * entity, rung and commit first; without one nothing may change, whoever asks (an operator
   * included), and the answer says what to do next.
   */
  private async claimablePolicy(
    caller: Caller,
    entityRef: string,
    rung: RungConfig,
    ref: string,
  ): Promise<{ allowedNow: boolean; reason: string }> {
    if (rung.mutationPolicy === 'operators') {
      const member = caller.userRef
        ? await this.deps.memberships.isMember(caller.userRef, [this.deps.operatorsGroup])
        : false;
      if (!member) {
        return { allowedNow: false, reason: `only members of ${this.deps.operatorsGroup} may change ${rung.title}` };
      }
    }
    const target = await this.deps.entities.load(entityRef, caller.credentials);
    const resolved = await this.deps.manifests.resolveCommit(target.entity, ref);
    if (!('sha' in resolved)) {
      return { allowedNow: false, reason: `${resolved.reason}; ${resolved.howToFix}` };
    }
    const sha = resolved.sha;
    const open = (
      await this.deps.store.listPromotions({ entityRef, phases: openPhases(), limit: 50, offset: 0 })
    ).filter(p => p.toRung === rung.id);
    const approved = open.find(p => p.phase === 'Approved' && p.ref === sha);
    if (approved) {
      return {
        allowedNow: true,
        reason: `promotion ${approved.id} of ${sha} is approved; the deploy claims it first (single use)`,
      };
    }
    const same = open.find(p => p.ref === sha);
    const approvers = rung.approvers
      ? `${rung.approvers.minimum} approval(s) from ${rung.approvers.groups.join(', ')}`
      : 'its entry gates to pass';
    if (same && (same.phase === 'Deploying' || same.phase === 'Verifying')) {
      return {
        allowedNow: false,
        reason: `promotion ${same.id} of ${sha} was already claimed${
          same.claim ? ` by ${same.claim.claimedBy}` : ''
        } and is "${same.phase}"; a claim is used once: wait for that deploy, or request a new promotion`,
      };
    }
    if (same) {
      return {
        allowedNow: false,
        reason: `promotion ${same.id} of ${sha} is "${same.phase}" (${same.phaseMessage}); it needs ${approvers} before it can be deployed`,
      };
    }
    return {
      allowedNow: false,
      reason: `no approved promotion of ${sha} to ${rung.title}: request one (khal promote --to ${rung.id} --ref ${sha}); it needs ${approvers}`,
    };
  }

  private async policyFor(
    caller: Caller,
    entityRef: string,
    rung: RungConfig,
    ref: string,
    context: DryRunContext,
  ) {
    const policy = rung.mutationPolicy;
    const base = { policy, description: policyDescriptions[policy] };
    if (!(await this.deps.mayCreate(caller, entityRef))) {
      return { ...base, allowedNow: false, reason: `${caller.actor} may not request promotions of ${entityRef}` };
    }
    switch (policy) {
      case 'self':
        return { ...base, allowedNow: true, reason: 'you may change this rung' };
      case 'after-dry-run': {
        // The same rule as the dry-run-clean gate: one function decides what a clean dry-run is.
        const judgement = await judgeDryRunsNow(context, { maxAgeMs: this.deps.dryRunMaxAgeMs });
        return judgement.accepted
          ? { ...base, allowedNow: true, reason: judgement.summary }
          : { ...base, allowedNow: false, reason: `${judgement.summary}: ${judgement.howToFix}` };
      }
      case 'approval':
      case 'operators':
        return { ...base, ...(await this.claimablePolicy(caller, entityRef, rung, ref)) };
      default:
        return { ...base, allowedNow: false, reason: 'unknown mutation policy' };
    }
  }
}
