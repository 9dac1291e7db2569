/** An entity joins a ladder with this annotation; the value is a ladder id. */
export const LADDER_ANNOTATION = 'khal.ai/ladder';
/** Set by the catalog module: the manifest's `name` as read from khal-app.json. */
export const MANIFEST_NAME_ANNOTATION = 'khal.ai/manifest-name';
/** Set by the catalog module: sha256 of the khal-app.json text the catalog validated. */
export const MANIFEST_DIGEST_ANNOTATION = 'khal.ai/manifest-digest';
/**
 * Set by the catalog module instead of name and digest when khal-app.json is missing or invalid:
 * what is wrong and how to fix it. The entity stays in the catalog (a processing error would keep
 * a new entity out of it for good); the ladder shows the problem as a failing manifest-valid check.
 */
export const MANIFEST_PROBLEM_ANNOTATION = 'khal.ai/manifest-problem';
/** On a Kubernetes Deployment (or its pod template): the git ref it runs. */
export const REF_ANNOTATION = 'khal.ai/ref';
/** The standard Backstage annotation matching an entity to its Kubernetes objects. */
export const KUBERNETES_ID_ANNOTATION = 'backstage.io/kubernetes-id';
/** The plugin id of the ladder backend (`/api/ladder`). */
export const LADDER_PLUGIN_ID = 'ladder';
