import type { GateRef, GateResult } from '@khal/plugin-ladder-common';
import type { GateContext, GateEvaluation, LadderGate } from '@khal/plugin-ladder-node';
import { Redactor } from '../evidence/Redactor';

/** A gate result as the engine stores it. */
export type EvaluatedGate = GateResult & { waitingFor?: string };

const TIMED_OUT = Symbol('timed-out');
/** Gates may quote what they read (a manifest value, a cluster message): their texts are redacted. */
const redactor = new Redactor();
const clean = async (text: string) => (await redactor.text(text)).value;

/**
 * Evaluates gates in parallel, each with its own timeout. A gate that throws or runs out of time
 * is recorded as `error`, so one bad gate never stops the others or the engine.
 */
export async function runGates(options: {
  gates: ReadonlyMap<string, LadderGate>;
  refs: GateRef[];
  context: Omit<GateContext, 'config' | 'signal'>;
  timeoutMs: number;
}): Promise<EvaluatedGate[]> {
  return Promise.all(
    options.refs.map(async (ref): Promise<EvaluatedGate> => {
      const started = Date.now();
      const gate = options.gates.get(ref.id);
      const title = ref.title ?? gate?.title ?? ref.id;
      const finish = async (e: GateEvaluation): Promise<EvaluatedGate> => ({
        gateId: ref.id,
        title,
        status: e.status,
        summary: await clean(e.summary),
        ...(e.howToFix ? { howToFix: await clean(e.howToFix) } : {}),
        ...(e.evidenceIds?.length ? { evidenceIds: e.evidenceIds } : {}),
        ...(e.waitingFor ? { waitingFor: await clean(e.waitingFor) } : {}),
        checkedAt: new Date().toISOString(),
        durationMs: Date.now() - started,
      });
      if (!gate) {
        return finish({
          status: 'error',
          summary: `no gate "${ref.id}" is installed`,
          howToFix: 'install the backend module that provides it, or remove it from the ladder config',
        });
      }
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<typeof TIMED_OUT>(resolve => {
        timer = setTimeout(() => {
          controller.abort();
          resolve(TIMED_OUT);
        }, options.timeoutMs);
      });
      try {
        const outcome = await Promise.race([
          gate.evaluate({
            ...options.context,
            config: ref.config ?? {},
            signal: controller.signal,
          }),
          timeout,
        ]);
        if (outcome === TIMED_OUT) {
          return finish({
            status: 'error',
            summary: `gate "${ref.id}" timed out after ${options.timeoutMs} ms`,
            howToFix: 'it is retried on the next re-check; if it keeps timing out, check what it depends on or raise ladder.gateTimeoutMs',
          });
        }
        return finish(outcome);
      } catch (error) {
        return finish({
          status: 'error',
          summary: `gate "${ref.id}" could not be evaluated: ${(error as Error)?.message ?? String(error)}`,
          howToFix: 'it is retried on the next re-check',
        });
      } finally {
        clearTimeout(timer);
      }
    }),
  );
}
