// The ladder API's contract as code: types generated from the OpenAPI file, and a client over them.
export * from './client';
export type {
  paths as LadderApiPaths,
  components as LadderApiComponents,
} from './generated';
