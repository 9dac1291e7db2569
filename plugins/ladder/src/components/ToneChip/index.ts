export { ToneChip } from './ToneChip';
export type { ToneChipProps } from './ToneChip';
export { toneColors } from './tonePalette';
