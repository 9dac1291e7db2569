export { LinePauseBanner } from './LinePauseBanner';
export { BadCommitList, RefWithMark } from './BadCommitList';
export { StopTheLineDialog } from './StopTheLineDialog';
export { MarkBadCommitDialog } from './MarkBadCommitDialog';
export { UnmarkBadCommitDialog } from './UnmarkBadCommitDialog';
