import type { Theme } from '@material-ui/core/styles';
import type { StatusTone } from '@khal/plugin-ladder-common';

/**
 * The one place a tone becomes a colour. Tones come from `@khal/plugin-ladder-common`
 * (phaseTone, rungStatusTone, gateStatusTone); components never pick colours from status names.
 */
export function toneColors(theme: Theme, tone: StatusTone): { main: string; text: string } {
  const p = theme.palette;
  switch (tone) {
    case 'success':
      return { main: p.success.main, text: p.success.contrastText };
    case 'error':
      return { main: p.error.main, text: p.error.contrastText };
    case 'warning':
      return { main: p.warning.main, text: p.warning.contrastText };
    case 'info':
      return { main: p.info.main, text: p.info.contrastText };
    case 'progress':
      return { main: p.primary.main, text: p.primary.contrastText };
    case 'neutral':
    default:
      return { main: p.grey[500], text: p.getContrastText(p.grey[500]) };
  }
}
