/**
 * The ladder API's OpenAPI document and a checker of answers against it. A separate entry point
 * (`@khal/plugin-ladder-common/spec`) so the frontend bundle carries neither the document nor ajv.
 *
 * @packageDocumentation
 */
export {
  ladderAnswerProblems,
  ladderApiOperations,
  ladderApiPathTemplate,
  answerProblemPlace,
  type LadderAnswerCheckOptions,
  type LadderAnswerProblem,
} from './schema/openapi/answers';
export { spec as ladderApiSpec } from './schema/openapi/generated/spec';
