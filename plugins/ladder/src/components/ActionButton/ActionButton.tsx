import { useId } from 'react';
import Button, { type ButtonProps } from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import type { ActionAvailability } from '../../promotions/actionAvailability';

const useStyles = makeStyles(theme => ({
  root: { display: 'inline-flex', flexDirection: 'column', marginRight: theme.spacing(1), marginBottom: theme.spacing(1), maxWidth: 280 },
}));

export interface ActionButtonProps {
  label: string;
  availability: ActionAvailability;
  onClick: () => void;
  color?: ButtonProps['color'];
  variant?: ButtonProps['variant'];
  busy?: boolean;
}

/** A button that, when it cannot be used, says why in words next to it (not only in a tooltip). */
export function ActionButton(props: ActionButtonProps) {
  const { label, availability, onClick, color = 'primary', variant = 'outlined', busy } = props;
  const classes = useStyles();
  const reasonId = useId();
  const disabled = !availability.allowed || Boolean(busy);
  return (
    <span className={classes.root}>
      <Button
        color={color}
        variant={variant}
        disabled={disabled}
        onClick={onClick}
        aria-describedby={availability.reason ? reasonId : undefined}
      >
        {label}
      </Button>
      {availability.reason ? (
        <Typography id={reasonId} variant="caption" color="textSecondary">
          {availability.reason}
        </Typography>
      ) : null}
    </span>
  );
}
