export * from './PromotionActions';
export * from './DecisionDialog';
export * from './CancelDialog';
