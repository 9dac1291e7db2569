import type { Entity } from '@backstage/catalog-model';
import {
  approvalRuleTitle,
  approversFromRules,
  CUSTOMER_ANNOTATION,
  CustomerConfig,
  LadderConfig,
  LadderDefinition,
} from '@khal/plugin-ladder-common';

/**
 * The customers of the customer rungs (`ladder.customers`) and who belongs to which.
 *
 * An entity's customer is its `khal.ai/customer` annotation (a customer id) or, without one, the
 * customer its ladder's rungs name in `metadata.customer` (by id or title). A customer's
 * stakeholders approve that customer's rungs only: on a rung whose approvers include any
 * customer's stakeholder group, those groups are replaced by the entity's customer's groups, so
 * one ladder serves several customers, each with its own approvers.
 */
export class Customers {
  private readonly byKey = new Map<string, CustomerConfig>();
  private readonly stakeholderGroups: Set<string>;

  constructor(private readonly config: Pick<LadderConfig, 'customers'>) {
    for (const c of config.customers) {
      this.byKey.set(c.id, c);
      this.byKey.set(c.title.toLocaleLowerCase('en-US'), c);
    }
    this.stakeholderGroups = new Set(
      config.customers.flatMap(c =>
        c.stakeholders.map(g => g.toLocaleLowerCase('en-US')),
      ),
    );
  }

  get configured(): boolean {
    return this.config.customers.length > 0;
  }

  get all(): CustomerConfig[] {
    return this.config.customers;
  }

  /** A customer by id or title. */
  find(key: string | undefined): CustomerConfig | undefined {
    return key === undefined
      ? undefined
      : this.byKey.get(key.trim().toLocaleLowerCase('en-US'));
  }

  /**
   * The customer id of an entity: its annotation (kept even when not configured, so that an
   * unknown customer is nobody's), else the one its ladder's rungs name; undefined for
   * internal apps.
   */
  customerOf(
    entity: Entity,
    ladder: LadderDefinition | undefined,
  ): string | undefined {
    const annotated =
      entity.metadata.annotations?.[CUSTOMER_ANNOTATION]?.trim();
    if (annotated) return this.find(annotated)?.id ?? annotated;
    const named = ladder?.rungs.find(r => r.metadata?.customer)?.metadata
      ?.customer;
    return named ? this.find(named)?.id ?? named : undefined;
  }

  /** The ladder as the entity's customer sees it: its customer's name and approver groups. */
  ladderFor(entity: Entity, ladder: LadderDefinition): LadderDefinition {
    const customer = this.find(
      entity.metadata.annotations?.[CUSTOMER_ANNOTATION],
    );
    if (!customer) return ladder;
    return {
      ...ladder,
      rungs: ladder.rungs.map(rung => {
        const names = !!rung.metadata?.customer;
        const groups = rung.approvers?.groups;
        const replaces = groups?.some(g =>
          this.stakeholderGroups.has(g.toLocaleLowerCase('en-US')),
        );
        if (!names && !replaces) return rung;
        return {
          ...rung,
          ...(rung.metadata
            ? { metadata: { ...rung.metadata, customer: customer.title } }
            : {}),
          ...(replaces && rung.approvers
            ? {
                // Each rule naming a stakeholder group names the customer's groups instead.
                approvers: approversFromRules(
                  rung.approvers.rules.map(rule => ({
                    minimum: rule.minimum,
                    // A default title names the groups, so it is made again from the new ones.
                    ...(rule.title !== approvalRuleTitle(rule) ? { title: rule.title } : {}),
                    groups: [
                      ...new Set([
                        ...rule.groups.filter(
                          g => !this.stakeholderGroups.has(g.toLocaleLowerCase('en-US')),
                        ),
                        ...(rule.groups.some(g =>
                          this.stakeholderGroups.has(g.toLocaleLowerCase('en-US')),
                        )
                          ? customer.stakeholders
                          : []),
                      ]),
                    ],
                  })),
                ),
              }
            : {}),
        };
      }),
    };
  }
}
