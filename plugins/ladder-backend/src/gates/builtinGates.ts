import type { LadderGate } from '@khal/plugin-ladder-node';
import { previousRungProvenGate } from './previousRungProven';
import { manifestValidGate } from './manifestValid';
import { envContractGate } from './envContract';
import { evidenceGate } from './evidenceGate';
import { createDryRunCleanGate } from './dryRunClean';
import { approvalGate } from './approvalGate';
import { rollbackPlanGate } from './rollbackPlan';
import { adoptionEvidenceGate } from './adoptionEvidence';
import { createFreezeGate } from './freezeGate';
import { mirrorParityGate } from './mirrorParity';
import { createWindowGate } from './windowGate';
import { createSoakGate } from './soakGate';
import { createRollbackDrillGate } from './rollbackDrill';

/**
 * The gates the ladder backend ships with (registered through its own extension point). The
 * settings come from the ladder config, which is read after the gates are registered.
 */
export function builtinGates(settings: {
  dryRunMaxAgeMs: () => number;
}): LadderGate[] {
  return [
    previousRungProvenGate,
    manifestValidGate,
    envContractGate,
    evidenceGate,
    createDryRunCleanGate({ maxAgeMs: settings.dryRunMaxAgeMs }),
    approvalGate,
    rollbackPlanGate,
    adoptionEvidenceGate,
    createFreezeGate(),
    mirrorParityGate,
    createWindowGate(),
    createSoakGate(),
    createRollbackDrillGate(),
  ];
}
