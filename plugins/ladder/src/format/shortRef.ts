/** Commit shas are shown with 7 characters; tags and image tags are kept whole. */
export function shortRef(ref: string | null | undefined): string {
  if (!ref) return '';
  return /^[0-9a-f]{8,40}$/i.test(ref) ? ref.slice(0, 7) : ref;
}

/** `group:default/operators` → `operators`; keeps the namespace when it is not `default`. */
export function shortEntityRef(ref: string): string {
  const m = /^([^:]+):(?:([^/]+)\/)?(.+)$/.exec(ref);
  if (!m) return ref;
  const [, , namespace, name] = m;
  return namespace && namespace !== 'default' ? `${namespace}/${name}` : name;
}
