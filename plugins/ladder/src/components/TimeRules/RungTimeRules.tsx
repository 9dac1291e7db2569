import Typography from '@material-ui/core/Typography';
import {
  describeWindow,
  formatSeconds,
  windowState,
  type RungSummary,
} from '@khal/plugin-ladder-common';
import { ToneChip } from '../ToneChip';

/** Where the rung stands with its release windows now, in words; undefined without windows. */
export function rungWindow(
  rung: Pick<RungSummary, 'windows'>,
  now: Date = new Date(),
) {
  if (!rung.windows?.length) return undefined;
  const state = windowState(rung.windows, now);
  if (!state.configured) return undefined;
  return { open: state.open, text: describeWindow(state, now)! };
}

/**
 * The time rules of a rung as chips (Ladder tab): its release window (open until when, or closed
 * and when it opens) and its soak time. Nothing when the rung has neither.
 */
export function RungTimeRuleChips(props: { rung: RungSummary; now?: Date }) {
  const { rung, now } = props;
  const window = rungWindow(rung, now);
  return (
    <>
      {window ? (
        <ToneChip
          tone={window.open ? 'success' : 'warning'}
          label={window.open ? 'window open' : 'window closed'}
          title={window.text}
        />
      ) : null}
      {rung.minSoakSeconds ? (
        <ToneChip
          tone="neutral"
          label={`soak ${formatSeconds(rung.minSoakSeconds)}`}
          title={`a ref must have been placed on the rung below for ${formatSeconds(
            rung.minSoakSeconds,
          )} before it may come here`}
        />
      ) : null}
    </>
  );
}

/** The release window of a rung as a caption under its column (overview). */
export function RungWindowCaption(props: { rung: RungSummary; now?: Date }) {
  const window = rungWindow(props.rung, props.now);
  if (!window) return null;
  return (
    <Typography
      variant="caption"
      component="div"
      color={window.open ? 'textSecondary' : 'error'}
      data-testid="overview-rung-window"
      title={window.text}
      // Wraps instead of widening its column until the service and owner columns break mid-word.
      style={{ maxWidth: 240 }}
    >
      {window.open
        ? 'window open'
        : `${window.text.replace(/^release window closed; /, 'window closed; ')}`}
    </Typography>
  );
}
