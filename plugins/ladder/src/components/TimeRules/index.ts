export {
  RungTimeRuleChips,
  RungWindowCaption,
  rungWindow,
} from './RungTimeRules';
