import type { LadderGate } from '@khal/plugin-ladder-node';
import { runGates } from './GateRunner';

describe('runGates', () => {
  it('redacts credentials a gate quotes in its summary, how-to-fix and waiting-for', async () => {
    const quoting: LadderGate = {
      id: 'quoting',
      title: 'Quotes what it read',
      async evaluate() {
        return {
          status: 'failed',
          summary: 'default "AKIAFAKEPLANTED00KEY" is not in "enum"',
          howToFix: 'remove postgres://app:FAKEplantedPW42@db.internal/orders from the manifest',
          waitingFor: 'a token other than ghp_FAKEplantedToken000000000000',
        };
      },
    };
    const [result] = await runGates({
      gates: new Map([[quoting.id, quoting]]),
      refs: [{ id: 'quoting' }],
      context: {} as any,
      timeoutMs: 1000,
    });
    const text = JSON.stringify(result);
    expect(text).not.toContain('AKIAFAKEPLANTED00KEY');
    expect(text).not.toContain('FAKEplantedPW42');
    expect(text).not.toContain('ghp_FAKEplantedToken000000000000');
    expect(result).toMatchObject({
      status: 'failed',
      summary: 'default "[REDACTED:aws-access-key]" is not in "enum"',
      howToFix: 'remove postgres://app:[REDACTED:url-password]@db.internal/orders from the manifest',
    });
  });
});
