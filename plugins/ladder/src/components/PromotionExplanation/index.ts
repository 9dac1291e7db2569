export * from './PromotionExplanation';
