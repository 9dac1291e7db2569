import { NotAllowedError } from '@backstage/errors';
import { ladderReplayPermission } from '@khal/plugin-ladder-common';
import type { Request, Response } from 'express';
import type { Authorize } from '../access/authorize';
import type { Caller } from '../access/Caller';
import type { GroupMemberships } from '../service/GroupMemberships';
import type { AuditReplay } from './AuditReplay';

/**
 * `GET /admin/replay`: the replay check, for operators only. The policy must allow
 * ladder.admin.replay, and the caller must be in the operators group now (read fresh): the
 * report names every entity and promotion, so it is not for readers of one entity.
 */
export function replayHandler(deps: {
  user: (req: Request) => Promise<Caller>;
  authorize: Authorize;
  memberships: GroupMemberships;
  operatorsGroup: string;
  replay: AuditReplay;
}) {
  return async (req: Request, res: Response) => {
    const caller = await deps.user(req);
    await deps.authorize(caller, ladderReplayPermission);
    const operator =
      caller.userRef !== undefined &&
      (await deps.memberships.isMember(caller.userRef, [deps.operatorsGroup], {
        fresh: true,
      }));
    if (!operator) {
      throw new NotAllowedError(
        `${caller.actor} may not run the replay check: it is for members of ${deps.operatorsGroup} (ladder.operatorsGroup)`,
      );
    }
    res.json(await deps.replay.check());
  };
}
