/**
 * Catalog module that reads and validates khal-app.json for entities on a Khal ladder.
 *
 * @packageDocumentation
 */
export { catalogModuleKhalManifest as default } from './module';
export {
  KhalManifestProcessor,
  manifestDigest,
} from './processor/KhalManifestProcessor';
export { SOURCE_REPO_ANNOTATION } from './processor/manifestSource';
