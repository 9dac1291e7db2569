// The router and spec generated from ../openapi.yaml (npm run schema:generate).
export * from './generated';
