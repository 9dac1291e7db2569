export { ManifestProblemPanel, hasManifestProblem } from './ManifestProblemPanel';
