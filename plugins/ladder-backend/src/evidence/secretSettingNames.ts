import type { Entity } from '@backstage/catalog-model';
import type { ManifestReader } from '../manifest/ManifestReader';

/** How long a write waits for the manifest before redacting with the generic rules only. */
export const MANIFEST_WAIT_MS = 3000;

/**
 * The names of the settings khal-app.json at `ref` declares secret, so that free text sent
 * with a write (evidence, reasons, comments, explanations) has their values removed too, e.g.
 * `DATABASE_URL=…`. An unreadable or slow manifest gives no names: the generic rules still apply.
 */
export function secretSettingNames(
  manifests: ManifestReader,
  entity: Entity,
  ref: string,
  waitMs = MANIFEST_WAIT_MS,
): Promise<string[]> {
  return Promise.race([
    manifests
      .read(entity, ref)
      .then(r =>
        r.status === 'valid'
          ? r.manifest.env.filter(s => s.secret).map(s => s.name)
          : [],
      )
      .catch(() => [] as string[]),
    new Promise<string[]>(resolve =>
      setTimeout(() => resolve([]), waitMs).unref(),
    ),
  ]);
}
