/*
 * Which setting names a Deployment wires, read from its pod template and from the metadata of
 * the Secrets and ConfigMaps it references. No value is ever looked at.
 */
import type { Deployment, EnvFromSource, EnvVar } from '../cluster/objects';
import type { ObjectNames } from '../cluster/ClusterReader';

export interface ObjectRef {
  kind: 'Secret' | 'ConfigMap';
  name: string;
}

export interface SettingsWiring {
  /** Names wired with a value, a field reference, or a key of an existing Secret/ConfigMap. */
  supplied: string[];
  /** Referenced (non-optional) Secrets/ConfigMaps that do not exist, with the names they were to supply. */
  missing: Array<ObjectRef & { settings: string[] }>;
  /** Existing `envFrom` sources whose key names are not in their metadata. */
  opaque: ObjectRef[];
}

/** The Secrets and ConfigMaps a Deployment's containers reference. */
export function referencedObjects(deployments: Deployment[]): ObjectRef[] {
  const refs = new Map<string, ObjectRef>();
  const add = (kind: ObjectRef['kind'], name: string | undefined) => {
    if (name) refs.set(`${kind}/${name}`, { kind, name });
  };
  for (const c of containersOf(deployments)) {
    for (const e of c.env ?? []) {
      add('Secret', e.valueFrom?.secretKeyRef?.name);
      add('ConfigMap', e.valueFrom?.configMapKeyRef?.name);
    }
    for (const f of c.envFrom ?? []) {
      add('Secret', f.secretRef?.name);
      add('ConfigMap', f.configMapRef?.name);
    }
  }
  return [...refs.values()];
}

function keyReferenceOf(from: NonNullable<EnvVar['valueFrom']>) {
  if (from.secretKeyRef) return { kind: 'Secret' as const, sel: from.secretKeyRef };
  if (from.configMapKeyRef) return { kind: 'ConfigMap' as const, sel: from.configMapKeyRef };
  return undefined;
}

function sourceReferenceOf(f: EnvFromSource) {
  if (f.secretRef) return { kind: 'Secret' as const, sel: f.secretRef };
  if (f.configMapRef) return { kind: 'ConfigMap' as const, sel: f.configMapRef };
  return undefined;
}

function containersOf(deployments: Deployment[]) {
  return deployments.flatMap(d => d.spec?.template?.spec?.containers ?? []);
}

/**
 * Works out the wiring. `secrets` / `configMaps` are the names present in the namespace (from
 * metadata-only lists) with the keys their `khal.ai/setting-names` annotation declares.
 */
export function analyzeWiring(
  deployments: Deployment[],
  secrets: ObjectNames,
  configMaps: ObjectNames,
): SettingsWiring {
  const supplied = new Set<string>();
  const missing = new Map<string, ObjectRef & { settings: string[] }>();
  const opaque = new Map<string, ObjectRef>();
  const lookup = (kind: ObjectRef['kind']) => (kind === 'Secret' ? secrets : configMaps);
  const noteMissing = (kind: ObjectRef['kind'], name: string, setting?: string) => {
    const entry = missing.get(`${kind}/${name}`) ?? { kind, name, settings: [] };
    if (setting) entry.settings.push(setting);
    missing.set(`${kind}/${name}`, entry);
  };

  for (const c of containersOf(deployments)) {
    for (const e of c.env ?? []) {
      const from = e.valueFrom;
      if (!from || from.fieldRef || from.resourceFieldRef) {
        supplied.add(e.name);
        continue;
      }
      const ref = keyReferenceOf(from);
      if (!ref?.sel.name) continue;
      const object = lookup(ref.kind).get(ref.sel.name);
      if (!object) {
        if (!ref.sel.optional) noteMissing(ref.kind, ref.sel.name, e.name);
        continue;
      }
      // When the object declares its keys, a key it does not hold supplies nothing.
      if (!object.settingNames || object.settingNames.includes(ref.sel.key)) supplied.add(e.name);
    }
    for (const f of c.envFrom ?? []) {
      const ref = sourceReferenceOf(f);
      if (!ref?.sel.name) continue;
      const object = lookup(ref.kind).get(ref.sel.name);
      if (!object) {
        if (!ref.sel.optional) noteMissing(ref.kind, ref.sel.name);
        continue;
      }
      if (!object.settingNames) {
        opaque.set(`${ref.kind}/${ref.sel.name}`, { kind: ref.kind, name: ref.sel.name });
        continue;
      }
      for (const key of object.settingNames) supplied.add(`${f.prefix ?? ''}${key}`);
    }
  }
  return { supplied: [...supplied].sort(), missing: [...missing.values()], opaque: [...opaque.values()] };
}
