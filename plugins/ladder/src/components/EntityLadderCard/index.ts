export { EntityLadderCard } from './EntityLadderCard';
