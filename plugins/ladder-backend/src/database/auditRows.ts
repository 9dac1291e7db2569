import { currentCorrelationId } from '../correlation/correlationId';
import type { AuditInput } from './records';

export const now = () => new Date().toISOString();

/** The row of `ladder_audit_events` an audit input is written as. */
export function auditRow(event: AuditInput) {
  return {
    entity_ref: event.entityRef,
    promotion_id: event.promotionId ?? null,
    rung_id: event.rungId ?? null,
    ref: event.ref ?? null,
    action: event.action,
    actor: event.actor,
    from_phase: event.fromPhase ?? null,
    to_phase: event.toPhase ?? null,
    detail: JSON.stringify(event.detail ?? {}),
    // The request or scheduled run the row was written for (see correlation/).
    correlation_id: currentCorrelationId() ?? null,
    created_at: now(),
  };
}
