import type { LadderApiSchemas } from '@khal/plugin-ladder-common';

/*
 * The ladder API's shapes as the CLI reads them: names for the schemas of the OpenAPI contract,
 * nothing written by hand. A field the CLI reads that the contract lacks does not compile; the
 * fix for that is in the spec (plugins/ladder-backend/src/schema/openapi.yaml), not here.
 */
export type Promotion = LadderApiSchemas['Promotion'];
export type PromotionList = LadderApiSchemas['PromotionList'];
export type EntityLadderResponse = LadderApiSchemas['EntityLadderResponse'];
export type RungSummary = LadderApiSchemas['RungSummary'];
export type RungView = LadderApiSchemas['RungView'];
export type DeployPlan = LadderApiSchemas['DeployPlan'];
export type GateResult = LadderApiSchemas['GateResult'];
export type Evidence = LadderApiSchemas['Evidence'];
export type Changes = LadderApiSchemas['Changes'];
export type UnresolvedFact = LadderApiSchemas['UnresolvedFact'];
export type CreateEvidenceRequest = LadderApiSchemas['CreateEvidenceRequest'];
export type DeployResultRequest = LadderApiSchemas['DeployResultRequest'];
export type LinePause = LadderApiSchemas['LinePause'];
export type BadCommit = LadderApiSchemas['BadCommit'];
export type SourceResolution = LadderApiSchemas['SourceResolution'];
