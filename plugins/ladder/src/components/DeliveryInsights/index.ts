export * from './DeliveryInsightsCard';
