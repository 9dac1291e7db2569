import fs from 'node:fs';
import path from 'node:path';
import {
  KhalAppManifest,
  MANIFEST_FILENAME,
  ManifestProblem,
  validateManifest,
} from '@khal/plugin-ladder-common';
import { CliError, ExitCode } from '../exitCodes';

export type ManifestReading =
  | { file: string; found: false }
  | { file: string; found: true; ok: true; manifest: KhalAppManifest }
  | {
      file: string;
      found: true;
      ok: false;
      problems: ManifestProblem[];
      name?: string;
    };

/** Reads and validates `khal-app.json` (a file, or a directory holding one). Never throws. */
export function readAppManifest(
  target: string = process.cwd(),
): ManifestReading {
  let file = path.resolve(target);
  try {
    if (fs.statSync(file).isDirectory())
      file = path.join(file, MANIFEST_FILENAME);
  } catch {
    return { file, found: false };
  }
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { file, found: false };
  }
  const result = validateManifest(text);
  if (result.ok)
    return { file, found: true, ok: true, manifest: result.manifest };
  return {
    file,
    found: true,
    ok: false,
    problems: result.problems,
    name: looseName(text),
  };
}

/** The app's name even from an invalid manifest, so `context` still works while it is fixed. */
function looseName(text: string): string | undefined {
  try {
    const raw = JSON.parse(text);
    return typeof raw?.name === 'string' &&
      /^[a-z0-9][a-z0-9._-]*$/i.test(raw.name)
      ? raw.name
      : undefined;
  } catch {
    return undefined;
  }
}

export interface EntityName {
  kind: string;
  namespace: string;
  name: string;
}

/** `component:default/orders-api` (or `orders-api`, read as a component in `default`). */
export function parseEntityRef(ref: string): EntityName {
  const match =
    /^(?:([a-zA-Z][a-zA-Z0-9_-]*):)?(?:([a-z0-9][a-z0-9._-]*)\/)?([a-zA-Z0-9][a-zA-Z0-9._-]*)$/.exec(
      ref.trim(),
    );
  if (!match) {
    // The value is not printed back: what lands here by mistake is often a pasted token, and
    // terminal output ends up in CI logs. Where it goes wrong is enough to fix it.
    const at = [...ref.trim()].findIndex(c => !/[A-Za-z0-9._:/-]/.test(c));
    throw new CliError(
      `the entity ref (${ref.length} characters) is not one: ${
        at === -1
          ? 'its parts are in the wrong places'
          : `character ${at + 1} is ${JSON.stringify([...ref.trim()][at])}`
      } — use the form component:default/orders-api`,
      ExitCode.Usage,
    );
  }
  return {
    kind: (match[1] ?? 'component').toLocaleLowerCase('en-US'),
    namespace: match[2] ?? 'default',
    name: match[3],
  };
}

export function stringifyEntityRef(e: EntityName): string {
  return `${e.kind}:${e.namespace}/${e.name}`;
}

/**
 * The entity a command is about: `--entity`, else the app named by khal-app.json in the working
 * directory (`component:default/<name>`).
 */
export function resolveEntityRef(
  entityOption: string | undefined,
  cwd = process.cwd(),
): string {
  if (entityOption) return stringifyEntityRef(parseEntityRef(entityOption));
  const reading = readAppManifest(cwd);
  if (!reading.found) {
    throw new CliError(
      `no ${MANIFEST_FILENAME} in ${cwd} — run khal from the app's repository root, or pass --entity component:default/<name>`,
      ExitCode.Usage,
    );
  }
  const name = reading.ok ? reading.manifest.name : reading.name;
  if (!name) {
    throw new CliError(
      `${reading.file} names no app — fix it (\`khal manifest validate\`) or pass --entity`,
      ExitCode.Usage,
    );
  }
  return `component:default/${name}`;
}
