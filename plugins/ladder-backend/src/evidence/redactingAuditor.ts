import type {
  AuditorService,
  AuditorServiceCreateEventOptions,
} from '@backstage/backend-plugin-api';
import type { JsonObject } from '@backstage/types';
import { currentCorrelationId } from '../correlation/correlationId';
import type { Redactor } from './Redactor';
import { redactErrorInPlace } from './redactedErrors';

/**
 * An auditor that redacts each event's meta and, when an action fails, its error before the
 * platform's auditor writes them: audit meta carries request fields (refs, rungs) and a failed
 * action's error echoes what it was given.
 */
export function redactingAuditor(
  inner: AuditorService,
  redactor: Redactor,
): AuditorService {
  const redacted = async (meta: JsonObject | undefined) =>
    meta === undefined ? undefined : (await redactor.data(meta)).value;
  return {
    async createEvent(options: AuditorServiceCreateEventOptions) {
      const correlationId = currentCorrelationId();
      const meta = await redacted(options.meta);
      const event = await inner.createEvent({
        ...options,
        meta: correlationId ? { ...meta, correlationId } : meta,
      });
      return {
        success: async params =>
          event.success(
            params ? { ...params, meta: await redacted(params.meta) } : params,
          ),
        fail: async params =>
          event.fail({
            ...params,
            meta: await redacted(params.meta),
            error: await redactErrorInPlace(params.error, redactor),
          }),
      };
    },
  };
}
