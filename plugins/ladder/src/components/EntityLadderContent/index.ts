export { EntityLadderContent } from './EntityLadderContent';
