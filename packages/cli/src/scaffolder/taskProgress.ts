import type { LogEvent } from '@backstage/plugin-scaffolder-common';
import type { JsonObject } from '@backstage/types';
import { CliError, ExitCode } from '../exitCodes';
import type { PortalScaffolder } from './portalScaffolder';

/** How a task ended, from its completion event. */
export interface TaskEnd {
  status: 'completed' | 'failed' | 'cancelled';
  /** The template's output (links, text) when it completed. */
  output: JsonObject;
  /** The task's error message when it failed. */
  error?: string;
  /** Each step and how it ended, in the order they ran. */
  steps: Array<{ id: string; name: string; status: string }>;
}

/**
 * Follows a task's events (polling GET /v2/tasks/:id/events) and reports each step as it starts
 * and ends, until the completion event. A failed request ends the wait with its error (the
 * client alone would retry it forever).
 */
export async function followTask(
  scaffolder: PortalScaffolder,
  taskId: string,
  stepNames: Map<string, string>,
  report: (line: string) => void,
  timeoutMs = 15 * 60_000,
): Promise<TaskEnd> {
  const steps = new Map<string, { id: string; name: string; status: string }>();
  const total = stepNames.size;
  return new Promise<TaskEnd>((resolve, reject) => {
    const timer = setInterval(() => {
      const failure = scaffolder.take();
      if (failure) finish(() => reject(failure));
    }, 250);
    const deadline = setTimeout(
      () =>
        finish(() =>
          reject(
            new CliError(
              `task ${taskId} did not end within ${Math.round(
                timeoutMs / 60_000,
              )} minutes — it may still run: see it in the portal under Create → Tasks`,
              ExitCode.Failed,
            ),
          ),
        ),
      timeoutMs,
    );
    const subscription = scaffolder.client.streamLogs({ taskId }).subscribe({
      next: (event: LogEvent) => {
        const { stepId, status } = event.body;
        if (event.type === 'log' && stepId && status) {
          const name = stepNames.get(stepId) ?? stepId;
          if (!steps.has(stepId))
            steps.set(stepId, { id: stepId, name, status });
          steps.get(stepId)!.status = status;
          const position = [...stepNames.keys()].indexOf(stepId) + 1;
          report(
            `[${position || '?'}/${total}] ${name}: ${
              status === 'processing' ? 'started' : status
            }`,
          );
        }
        if (event.type === 'completion') {
          const body = event.body as LogEvent['body'] & {
            output?: JsonObject;
            error?: { message?: string };
          };
          const ended = /status: (\w+)/.exec(body.message)?.[1] ?? '';
          // Anything but completed or cancelled counts as failed: never a success by default.
          const known: Record<string, TaskEnd['status']> = {
            completed: 'completed',
            cancelled: 'cancelled',
          };
          finish(() =>
            resolve({
              status: known[ended] ?? 'failed',
              output: body.output ?? {},
              error: body.error?.message,
              steps: [...steps.values()],
            }),
          );
        }
      },
      error: (error: unknown) =>
        finish(() =>
          reject(
            new CliError(
              `following task ${taskId} failed: ${String(error)}`,
              ExitCode.Failed,
            ),
          ),
        ),
    });
    function finish(settle: () => void) {
      clearInterval(timer);
      clearTimeout(deadline);
      subscription.unsubscribe();
      settle();
    }
  });
}
