import {
  RELATION_OWNED_BY,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import type { LadderEntities } from '../service/LadderEntities';

/**
 * Who receives an entity's live signals: the entity's owners, the approver groups of its rungs
 * (per customer: a customer app's stakeholders, not other customers'), and the operators.
 *
 * The signals service cannot ask the permission policy per subscriber, so the ladder names the
 * recipients: `{ type: 'user', entityRef: [...] }` reaches every signed-in user whose ownership
 * claims include one of these refs (a group ref reaches its members). These are the people the
 * ladder's own rules give a part in the entity; anyone else who may read it still sees the
 * current state on load and on refresh, just not pushed live. Nothing is broadcast.
 */
export class SignalAudience {
  constructor(
    private readonly deps: {
      entities: LadderEntities;
      operatorsGroup: string;
    },
  ) {}

  async of(entityRef: string): Promise<string[]> {
    const operators = this.deps.operatorsGroup.toLocaleLowerCase('en-US');
    const target = await this.deps.entities
      .load(entityRef)
      .catch(() => undefined);
    if (!target) return [operators];
    const { entity, ladder } = target;
    const defaults = {
      defaultKind: 'group',
      defaultNamespace: entity.metadata.namespace ?? 'default',
    };
    const owner =
      typeof entity.spec?.owner === 'string' ? [entity.spec.owner] : [];
    const owners = [
      ...owner,
      ...(entity.relations ?? [])
        .filter(r => r.type === RELATION_OWNED_BY)
        .map(r => r.targetRef),
    ].map(r => stringifyEntityRef(parseEntityRef(r, defaults)));
    const approvers = ladder.rungs.flatMap(r => r.approvers?.groups ?? []);
    return [
      ...new Set(
        [...owners, ...approvers, operators].map(r =>
          r.toLocaleLowerCase('en-US'),
        ),
      ),
    ].sort();
  }
}
