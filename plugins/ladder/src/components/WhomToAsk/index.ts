export { WhomToAsk } from './WhomToAsk';
