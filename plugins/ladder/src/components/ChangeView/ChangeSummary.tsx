import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import type { ChangesResponse } from '@khal/plugin-ladder-common';
import { shortRef } from '../../format/shortRef';

type ManifestDiff = NonNullable<ChangesResponse['manifestDiff']>;
type FieldChange = ManifestDiff['runtimeChanges'][number];
type SettingSummary = ManifestDiff['settingsAdded'][number];
type TargetSetting = ChangesResponse['settingsForTarget'][number];

const useStyles = makeStyles(theme => ({
  root: { display: 'flex', flexDirection: 'column', gap: theme.spacing(2) },
  list: { margin: theme.spacing(0.5, 0, 0, 0), paddingLeft: theme.spacing(3) },
  sha: { fontFamily: 'monospace', marginRight: theme.spacing(1) },
  chip: { marginLeft: theme.spacing(1) },
  missing: { color: theme.palette.error.main, fontWeight: 500 },
}));

/** Setting flags whose old and new values are shown; other fields only say that they changed. */
const shownFields = new Set(['required', 'secret', 'type', 'rungs']);

function text(value: unknown): string {
  if (value === undefined || value === null) return 'unset';
  if (Array.isArray(value)) return value.length ? value.join(', ') : 'none';
  return String(value);
}

function settingFlags(s: SettingSummary): string {
  return [s.required ? 'required' : 'optional', s.secret ? 'secret' : '']
    .filter(Boolean)
    .join(', ');
}

function settingChange(change: FieldChange): string {
  // A default, enum or pattern could be mistaken for a value to copy: only say that it changed.
  return shownFields.has(change.field)
    ? `${change.field} ${text(change.from)} → ${text(change.to)}`
    : `${change.field} changed`;
}

function fieldChange(change: FieldChange): string {
  return `${change.field}: ${text(change.from)} → ${text(change.to)}`;
}

function suppliedText(s: TargetSetting): string {
  if (s.supplied === null) return 'supplied: unknown for this rung';
  return s.supplied ? 'supplied' : 'not supplied';
}

function isEmpty(diff: ManifestDiff): boolean {
  return (
    diff.settingsAdded.length +
      diff.settingsRemoved.length +
      diff.settingsChanged.length +
      diff.runtimeChanges.length +
      diff.identityChanges.length +
      diff.deployChanges.length ===
    0
  );
}

/** The commits of the range, or why there are none to list. */
function CommitList(props: { changes: ChangesResponse }) {
  const { commits, commitsUnavailableReason } = props.changes;
  const classes = useStyles();
  if (commits === null) {
    return (
      <Alert severity="info">
        The commit list is not available:{' '}
        {commitsUnavailableReason ?? 'the repository cannot be asked'}.
      </Alert>
    );
  }
  if (commits.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No commits: both sides are the same ref.
      </Typography>
    );
  }
  return (
    <ol
      className={classes.list}
      aria-label="Commits in the range, newest first"
    >
      {commits.map(c => (
        <li key={c.sha}>
          <Typography variant="body2">
            <code className={classes.sha} title={c.sha}>
              {c.sha.slice(0, 7)}
            </code>
            {c.subject}{' '}
            <Typography
              component="span"
              variant="caption"
              color="textSecondary"
            >
              — {c.author}
            </Typography>
          </Typography>
        </li>
      ))}
    </ol>
  );
}

export interface ChangeSummaryProps {
  changes: ChangesResponse;
  /** A rung's title by id (the response names rungs by id). */
  rungTitle: (rungId: string) => string;
}

/**
 * What changes between two refs: the commit range, the manifest diff and the settings the target
 * rung needs at the newer ref. Setting names and flags only — the API never sends values.
 */
export function ChangeSummary(props: ChangeSummaryProps) {
  const { changes, rungTitle } = props;
  const classes = useStyles();
  const side = (s: { rung?: string; ref: string | null }) =>
    `${s.rung ? `${rungTitle(s.rung)} ` : ''}${
      s.ref ? shortRef(s.ref) : '(nothing placed)'
    }`;
  const diff = changes.manifestDiff;
  const newlyRequired = changes.settingsForTarget.filter(s => s.newlyRequired);
  const missing = changes.settingsForTarget.filter(
    s => s.required && s.supplied === false,
  );
  return (
    <div className={classes.root} data-testid="change-view">
      <Typography variant="body2" data-testid="change-range">
        From <strong>{side(changes.from)}</strong> to{' '}
        <strong>{side(changes.to)}</strong>; settings judged for{' '}
        {rungTitle(changes.target)}.
      </Typography>

      <section aria-label="Commits">
        <Typography variant="subtitle2" component="h4">
          Commits
          {changes.commits
            ? ` (${changes.commits.length}${
                changes.commitsTruncated ? '+' : ''
              })`
            : ''}
        </Typography>
        <CommitList changes={changes} />
        {changes.commitsTruncated ? (
          <Typography variant="caption" color="textSecondary">
            The range has more commits than listed here; see the repository for
            the rest.
          </Typography>
        ) : null}
      </section>

      <section aria-label="Manifest diff">
        <Typography variant="subtitle2" component="h4">
          Manifest (khal-app.json)
        </Typography>
        {changes.manifestUnavailableReason ? (
          <Alert severity={diff ? 'info' : 'warning'}>
            {changes.manifestUnavailableReason}
          </Alert>
        ) : null}
        {diff && isEmpty(diff) ? (
          <Typography variant="body2" color="textSecondary">
            The manifest did not change: same settings, runtime and deployment.
          </Typography>
        ) : null}
        {diff && !isEmpty(diff) ? (
          <ul className={classes.list}>
            {diff.settingsAdded.map(s => (
              <li key={`added-${s.name}`}>
                <Typography variant="body2">
                  Setting added: <code>{s.name}</code> ({settingFlags(s)})
                </Typography>
              </li>
            ))}
            {diff.settingsRemoved.map(s => (
              <li key={`removed-${s.name}`}>
                <Typography variant="body2">
                  Setting removed: <code>{s.name}</code>
                </Typography>
              </li>
            ))}
            {diff.settingsChanged.map(s => (
              <li key={`changed-${s.name}`}>
                <Typography variant="body2">
                  Setting changed: <code>{s.name}</code> —{' '}
                  {s.changes.map(settingChange).join('; ')}
                </Typography>
              </li>
            ))}
            {diff.runtimeChanges.map(c => (
              <li key={`runtime-${c.field}`}>
                <Typography variant="body2">
                  Runtime {fieldChange(c)}
                </Typography>
              </li>
            ))}
            {diff.deployChanges.map(c => (
              <li key={`deploy-${c.field}`}>
                <Typography variant="body2">Deploy {fieldChange(c)}</Typography>
              </li>
            ))}
            {diff.identityChanges.map(c => (
              <li key={`identity-${c.field}`}>
                <Typography variant="body2">
                  Identity {fieldChange(c)}
                </Typography>
              </li>
            ))}
          </ul>
        ) : null}
      </section>

      <section aria-label={`Settings for ${rungTitle(changes.target)}`}>
        <Typography variant="subtitle2" component="h4">
          Settings {rungTitle(changes.target)} needs
        </Typography>
        {missing.length > 0 ? (
          <Alert severity="warning">
            Required but not supplied on {rungTitle(changes.target)}:{' '}
            {missing.map(s => s.name).join(', ')}. Supply them before promoting,
            or the gates will block.
          </Alert>
        ) : null}
        {changes.settingsForTarget.length === 0 ? (
          <Typography variant="body2" color="textSecondary">
            {diff
              ? 'The manifest declares no settings for this rung.'
              : 'Unknown: the manifest cannot be read.'}
          </Typography>
        ) : (
          <ul className={classes.list}>
            {changes.settingsForTarget.map(s => (
              <li
                key={s.name}
                aria-label={`${s.name}: ${
                  s.required ? 'required' : 'optional'
                }${s.newlyRequired ? ', newly required' : ''}, ${suppliedText(
                  s,
                )}`}
              >
                <Typography variant="body2">
                  <code>{s.name}</code> — {s.required ? 'required' : 'optional'}
                  {s.secret ? ', secret' : ''},{' '}
                  <span
                    className={
                      s.required && s.supplied === false
                        ? classes.missing
                        : undefined
                    }
                  >
                    {suppliedText(s)}
                  </span>
                  {s.newlyRequired ? (
                    <Chip
                      className={classes.chip}
                      size="small"
                      label="newly required"
                      color="secondary"
                    />
                  ) : null}
                </Typography>
              </li>
            ))}
          </ul>
        )}
        {newlyRequired.length === 0 && changes.settingsForTarget.length > 0 ? (
          <Typography variant="caption" color="textSecondary">
            No setting is newly required.
          </Typography>
        ) : null}
      </section>
    </div>
  );
}
