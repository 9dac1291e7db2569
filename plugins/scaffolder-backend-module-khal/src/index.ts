/**
 * khal:* scaffolder actions: khal-app.json create/validate, ladder enrolment, and the local
 * git publisher and catalog registration of the embedded default.
 *
 * @packageDocumentation
 */
export { scaffolderModuleKhal as default } from './module';
export { createManifestCreateAction } from './actions/manifest/createManifest';
export { createManifestValidateAction } from './actions/manifest/validateManifest';
export { createLadderEnrollAction } from './actions/ladder/enroll';
export { createPublishLocalAction } from './actions/publish/localGit';
export { createCatalogRegisterLocalAction } from './actions/catalog/registerLocal';
