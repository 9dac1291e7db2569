import type { LadderApi } from '../api';
import { auditEvents, changes, insights, deployPlan, entityLadder, openPromotion, overview } from './fixtures';

/** A LadderApi whose every method is a jest mock resolving to the fixtures. */
export function mockLadderApi(overrides: Partial<jest.Mocked<LadderApi>> = {}): jest.Mocked<LadderApi> {
  return {
    getLadders: jest.fn().mockResolvedValue({ items: overview.ladders }),
    getEntityLadder: jest.fn().mockResolvedValue(entityLadder),
    getOverview: jest.fn().mockResolvedValue(overview),
    listPromotions: jest.fn().mockResolvedValue({ items: [openPromotion] }),
    getPromotion: jest.fn().mockResolvedValue(openPromotion),
    createPromotion: jest.fn().mockResolvedValue(openPromotion),
    decide: jest.fn().mockResolvedValue(openPromotion),
    cancel: jest.fn().mockResolvedValue(openPromotion),
    recheck: jest.fn().mockResolvedValue(openPromotion),
    breakGlass: jest.fn().mockResolvedValue(openPromotion),
    acknowledgeBreakGlassReview: jest.fn().mockResolvedValue(openPromotion),
    createEvidence: jest.fn(),
    listEvidence: jest.fn().mockResolvedValue({ items: [] }),
    getPlan: jest.fn().mockResolvedValue(deployPlan),
    getAudit: jest.fn().mockResolvedValue({ items: auditEvents }),
    getInsights: jest.fn().mockResolvedValue(insights),
    getChanges: jest.fn().mockResolvedValue(changes),
    getPromotionChanges: jest.fn().mockResolvedValue(changes),
    pauseLine: jest.fn(),
    resumeLine: jest.fn(),
    markBadCommit: jest.fn(),
    unmarkBadCommit: jest.fn(),
    ...overrides,
  };
}
