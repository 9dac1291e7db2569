export { BreakGlassDialog } from './BreakGlassDialog';
export { BreakGlassMark, isReviewOverdue } from './BreakGlassMark';
export { BreakGlassReviews } from './BreakGlassReviews';
