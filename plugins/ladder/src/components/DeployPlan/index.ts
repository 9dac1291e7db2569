export * from './DeployPlanView';
export * from './CommandList';
export * from './PlanProblem';
