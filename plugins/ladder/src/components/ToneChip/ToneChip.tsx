import Chip from '@material-ui/core/Chip';
import { makeStyles } from '@material-ui/core/styles';
import type { StatusTone } from '@khal/plugin-ladder-common';
import { toneColors } from './tonePalette';

const useStyles = makeStyles(theme => ({
  chip: ({ tone }: { tone: StatusTone }) => {
    const c = toneColors(theme, tone);
    return {
      backgroundColor: c.main,
      color: c.text,
      fontWeight: 500,
    };
  },
}));

export interface ToneChipProps {
  tone: StatusTone;
  /** The status in words: the colour is never the only cue. */
  label: string;
  size?: 'small' | 'medium';
  title?: string;
}

/** A status shown as a coloured chip that also carries the status in words. */
export function ToneChip(props: ToneChipProps) {
  const { tone, label, size = 'small', title } = props;
  const classes = useStyles({ tone });
  return (
    <Chip
      className={classes.chip}
      size={size}
      label={label}
      title={title}
      data-tone={tone}
    />
  );
}
