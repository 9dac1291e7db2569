export * from './ChangeView';
export * from './ChangeSummary';
export * from './CompareRungs';
