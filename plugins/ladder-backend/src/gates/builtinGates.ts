import type { LadderGate } from '@khal/plugin-ladder-node';
import { previousRungProvenGate } from './previousRungProven';
import { manifestValidGate } from './manifestValid';
import { envContractGate } from './envContract';
import { evidenceGate } from './evidenceGate';
import { dryRunCleanGate } from './dryRunClean';
import { approvalGate } from './approvalGate';
import { rollbackPlanGate } from './rollbackPlan';
import { adoptionEvidenceGate } from './adoptionEvidence';

/** The gates the ladder backend ships with (registered through its own extension point). */
export const builtinGates: LadderGate[] = [
  previousRungProvenGate,
  manifestValidGate,
  envContractGate,
  evidenceGate,
  dryRunCleanGate,
  approvalGate,
  rollbackPlanGate,
  adoptionEvidenceGate,
];
