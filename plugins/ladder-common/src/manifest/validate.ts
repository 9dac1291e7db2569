import { manifestCrossRuleIssues } from './crossRules';
import { guardManifestValue } from './inputGuards';
import { scanJsonText } from './jsonText';
import { errorMessage } from './settingValues';
import {
  ManifestProblem,
  RawProblem,
  formatManifestPath,
  problemsFromZodIssues,
} from './problems';
import { KhalAppManifest, ManifestSetting, manifestSchema } from './schema';

/** @public */
export type ManifestValidationResult =
  | { ok: true; manifest: KhalAppManifest }
  | { ok: false; problems: ManifestProblem[] };

/** @public */
export interface ManifestValidationOptions {
  /** Largest accepted manifest, in bytes of JSON (UTF-8 for text). Default 256 KiB. */
  maxBytes?: number;
  /** Deepest accepted nesting of objects and arrays; the root object is level 1. Default 32. */
  maxDepth?: number;
}

/** @public */
export const MANIFEST_DEFAULT_MAX_BYTES = 256 * 1024;
/** @public */
export const MANIFEST_DEFAULT_MAX_DEPTH = 32;
/** More problems than this are summarised: past a hundred, the file is not a manifest. */
const MAX_PROBLEMS = 100;

function limit(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0
    ? Math.floor(value)
    : fallback;
}

/** UTF-8 length without TextEncoder allocations; stops counting once past `max`. */
function utf8LengthExceeds(text: string, max: number): boolean {
  if (text.length > max) return true; // every UTF-16 unit is at least one UTF-8 byte
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
    if (bytes > max) return true;
  }
  return false;
}

function finish(problems: RawProblem[]): {
  ok: false;
  problems: ManifestProblem[];
} {
  const seen = new Set<string>();
  const unique: ManifestProblem[] = [];
  for (const problem of problems) {
    const formatted = {
      path: formatManifestPath(problem.path),
      message: problem.message,
      fix: problem.fix,
    };
    const key = `${formatted.path}\u0000${formatted.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(formatted);
  }
  if (unique.length > MAX_PROBLEMS) {
    const rest = unique.length - (MAX_PROBLEMS - 1);
    unique.splice(MAX_PROBLEMS - 1, unique.length, {
      path: '$',
      message: `${rest} more problems are not listed`,
      fix: 'fix the problems above and validate again',
    });
  }
  return { ok: false, problems: unique };
}

function validate(
  input: unknown,
  options: ManifestValidationOptions | undefined,
): ManifestValidationResult {
  const maxBytes = limit(options?.maxBytes, MANIFEST_DEFAULT_MAX_BYTES);
  const maxDepth = limit(options?.maxDepth, MANIFEST_DEFAULT_MAX_DEPTH);
  const problems: RawProblem[] = [];
  let value: unknown;

  if (typeof input === 'string') {
    if (utf8LengthExceeds(input, maxBytes)) {
      return finish([
        {
          path: [],
          message: `the text is larger than ${maxBytes} bytes`,
          fix: 'a khal-app.json is a few kilobytes; remove what does not belong in it (values, data, generated content)',
        },
      ]);
    }
    const scan = scanJsonText(input, maxDepth);
    if (!scan.ok) {
      const where = `line ${scan.line}, column ${scan.column}`;
      return finish([
        scan.kind === 'syntax'
          ? {
              path: [],
              message: `invalid JSON at ${where}: ${scan.message}`,
              fix: scan.fix,
            }
          : {
              path: scan.path,
              message: `${scan.message} (${where})`,
              fix: scan.fix,
            },
      ]);
    }
    for (const duplicate of scan.duplicateKeys) {
      problems.push({
        path: duplicate.path,
        message: `key ${JSON.stringify(
          duplicate.key,
        )} appears more than once in the same object (again at line ${
          duplicate.line
        }, column ${duplicate.column}); only the last one would count`,
        fix: 'keep one of them and remove the others',
      });
    }
    value = JSON.parse(input.charCodeAt(0) === 0xfeff ? input.slice(1) : input);
  } else if (input === undefined) {
    return finish([
      {
        path: [],
        message: 'no manifest was given',
        fix: 'pass the text of khal-app.json, or the value it parses to',
      },
    ]);
  } else {
    value = input;
  }

  const guarded = guardManifestValue(value, {
    // Text was measured above, in exact bytes; only parsed values are estimated here.
    maxBytes: typeof input === 'string' ? Number.POSITIVE_INFINITY : maxBytes,
    maxDepth,
  });
  if (guarded.length > 0) return finish([...problems, ...guarded]);

  const parsed = manifestSchema.safeParse(value);
  if (parsed.success) {
    return problems.length > 0
      ? finish(problems)
      : { ok: true, manifest: parsed.data };
  }
  problems.push(...problemsFromZodIssues(parsed.error.issues, value));
  // zod skips the root refinement once any field failed; run the cross-field rules anyway so an
  // author sees every problem in one pass. `finish` drops the ones zod already reported.
  problems.push(...manifestCrossRuleIssues(value));
  return finish(problems);
}

/**
 * Validates a khal-app.json manifest: its text, or the value it parsed to.
 *
 * Never throws, whatever the input: the catalog, the scaffolder and the CLI all validate files
 * they did not write, and a validator that can crash or hang is a way to break them. Text is
 * measured and scanned before it is parsed; values are walked iteratively with size and depth
 * limits before zod sees them.
 * @public
 */
export function validateManifest(
  input: unknown,
  options?: ManifestValidationOptions,
): ManifestValidationResult {
  try {
    return validate(input, options);
  } catch (error) {
    const detail = errorMessage(error);
    return {
      ok: false,
      problems: [
        {
          path: '$',
          message: `the manifest could not be read (${detail.slice(0, 200)})`,
          fix: 'pass the text of khal-app.json, or a plain JSON value',
        },
      ],
    };
  }
}

/**
 * The settings a rung needs: those without `rungs` (every rung needs them) and those naming one
 * of `rungIds`. Pass a rung's id and its aliases together, since manifests may use either.
 * @public
 */
export function settingsForRung(
  manifest: KhalAppManifest,
  rungIds: ReadonlyArray<string>,
): ManifestSetting[] {
  const wanted = new Set(rungIds);
  return manifest.env.filter(
    setting =>
      setting.rungs === undefined ||
      setting.rungs.some(rung => wanted.has(rung)),
  );
}
