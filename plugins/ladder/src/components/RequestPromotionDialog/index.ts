export * from './RequestPromotionDialog';
