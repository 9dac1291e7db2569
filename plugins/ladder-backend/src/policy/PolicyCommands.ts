import type { LoggerService } from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  BadCommit,
  BadCommitResponse,
  LadderConfig,
  LinePause,
  LinePauseScope,
  isTerminal,
  openPhases,
  resolveRung,
} from '@khal/plugin-ladder-common';
import type { LadderStore } from '../database/LadderStore';
import type { Redactor } from '../evidence/Redactor';
import type { Caller } from '../access/Caller';
import type { GroupMemberships } from '../service/GroupMemberships';
import type { LadderEntities } from '../service/LadderEntities';
import type { LadderNotifier } from '../service/LadderNotifier';
import type { PromotionEngine } from '../service/PromotionEngine';
import { badCommitChange } from './badCommitChange';
import { noBadMark } from '../database/policyTables';

/**
 * Release policy decided by people at run time: stopping the line (pause, resume) and marking
 * commits bad. Permissions are checked by the router; the rules that need the ladder (which
 * rungs exist, who may approve them) are checked here. What a hold does to promotions is decided
 * by the engine, inside each step's transaction (policy/holds.ts).
 */
export class PolicyCommands {
  constructor(
    private readonly deps: {
      config: LadderConfig;
      store: LadderStore;
      engine: PromotionEngine;
      entities: LadderEntities;
      memberships: GroupMemberships;
      notifier: LadderNotifier;
      redactor: Redactor;
      logger: LoggerService;
    },
  ) {}

  private requireUser(caller: Caller, what: string): string {
    if (caller.kind !== 'user' || !caller.userRef) {
      throw new NotAllowedError(
        `${what} is decided by people: call with a user token, not a service token`,
      );
    }
    return caller.userRef;
  }

  /** Stops the line for a ladder, one of its rungs, or one entity. */
  async pause(
    caller: Caller,
    input: {
      scope: LinePauseScope;
      ladderId?: string;
      rungId?: string;
      entityRef?: string;
      reason: string;
    },
  ): Promise<LinePause> {
    const user = this.requireUser(caller, 'stopping the line');
    let ladderId: string | null = null;
    let rungId: string | null = null;
    let entityRef: string | null = null;
    if (input.scope === 'entity') {
      // Only entities on a ladder can be paused; the entity must be readable by the caller.
      const target = await this.deps.entities.load(
        input.entityRef!,
        caller.credentials,
      );
      entityRef = target.entityRef;
    } else {
      const ladder = this.deps.config.ladders.find(
        l => l.id === input.ladderId,
      );
      if (!ladder) {
        throw new InputError(
          `no ladder "${input.ladderId}"; the ladders are ${this.deps.config.ladders
            .map(l => l.id)
            .join(', ')}`,
        );
      }
      ladderId = ladder.id;
      if (input.scope === 'rung') {
        const resolved = resolveRung(ladder, input.rungId!);
        if (!resolved) {
          throw new InputError(
            `ladder "${ladder.id}" has no rung "${input.rungId}"; its rungs are ${ladder.rungs
              .map(r => r.id)
              .join(', ')}`,
          );
        }
        rungId = resolved.rung.id;
      }
    }
    const reason = (await this.deps.redactor.text(input.reason)).value;
    const pause = await this.deps.store.pauseLine({
      scope: input.scope,
      ladderId,
      rungId,
      entityRef,
      reason,
      actor: user,
    });
    await this.signal(pause);
    return pause;
  }

  /** Resumes a pause in force. */
  async resume(
    caller: Caller,
    id: string,
    input: { reason?: string },
  ): Promise<LinePause> {
    const user = this.requireUser(caller, 'resuming the line');
    const reason = input.reason
      ? (await this.deps.redactor.text(input.reason)).value
      : undefined;
    const pause = await this.deps.store.resumeLine({
      id,
      actor: user,
      ...(reason ? { reason } : {}),
    });
    await this.signal(pause);
    return pause;
  }

  private async signal(pause: LinePause) {
    // Pages of a paused ladder or rung learn of it on their next read; one entity is told now.
    if (pause.entityRef) {
      await this.deps.notifier.entityChanged({
        entityRef: pause.entityRef,
        change: 'policy',
      });
    }
  }

  /** Marking and unmarking commits bad: anyone who may approve a rung of the ladder, or an operator. */
  private async requireMayJudge(
    user: string,
    target: { entityRef: string; ladder: LadderConfig['ladders'][number] },
    what: string,
  ): Promise<void> {
    const groups = [
      ...new Set([
        this.deps.config.operatorsGroup,
        ...target.ladder.rungs.flatMap(r => r.approvers?.groups ?? []),
      ]),
    ];
    if (
      !(await this.deps.memberships.isMember(user, groups, { fresh: true }))
    ) {
      throw new NotAllowedError(
        `only people who may approve a rung of ladder "${target.ladder.id}" (members of ${groups.join(
          ', ',
        )}) may ${what} ${target.entityRef} bad`,
      );
    }
  }

  /**
   * Takes a bad mark back (same people as marking; audited with what the mark said). The commit
   * may be requested again; what the mark ended stays ended, since people acted on it.
   */
  async unmarkBad(
    caller: Caller,
    input: { id: string; reason: string },
  ): Promise<BadCommit> {
    const user = this.requireUser(caller, 'taking a bad mark back');
    const mark = await this.deps.store.getBadCommitById(input.id);
    if (!mark) throw noBadMark(input.id);
    const target = await this.deps.entities.load(mark.entityRef, caller.credentials);
    await this.requireMayJudge(user, target, 'take back a bad mark of');
    const reason = (await this.deps.redactor.text(input.reason)).value;
    const unmarked = await this.deps.store.unmarkBadCommit({ id: mark.id, actor: user, reason });
    await this.deps.notifier.entityChanged({ entityRef: mark.entityRef, change: 'policy' });
    return unmarked;
  }

  /**
   * Marks a commit of an entity bad: by anyone who may approve a rung of its ladder (a member of
   * one of its approver groups, per the catalog now) or an operator. Its open promotions end in
   * the one writer: Superseded, or Failed when a deploy had claimed one.
   */
  async markBad(
    caller: Caller,
    input: { entityRef: string; sha: string; reason: string },
  ): Promise<BadCommitResponse> {
    const user = this.requireUser(caller, 'marking a commit bad');
    const target = await this.deps.entities.load(
      input.entityRef,
      caller.credentials,
    );
    await this.requireMayJudge(user, target, 'mark a commit of');
    const reason = (await this.deps.redactor.text(input.reason)).value;
    const bad = await this.deps.store.markBadCommit({
      entityRef: target.entityRef,
      sha: input.sha,
      reason,
      actor: user,
    });
    const open = (
      await this.deps.store.listPromotions({
        entityRef: target.entityRef,
        phases: openPhases(),
        limit: 500,
        offset: 0,
      })
    ).filter(p => p.ref === bad.sha);
    const ended: BadCommitResponse['endedPromotions'] = [];
    for (const p of open) {
      try {
        const record = await this.deps.engine.write(p.id, user, async current =>
          isTerminal(current.phase) ? undefined : badCommitChange(current, bad),
        );
        ended.push({ id: record.id, toRung: record.toRung, phase: record.phase });
      } catch (error) {
        // The re-check task ends it on its next pass (the engine supersedes bad commits).
        this.deps.logger.warn(
          `promotion ${p.id} of bad commit ${bad.sha} not ended now: ${error}`,
        );
      }
    }
    await this.deps.notifier.entityChanged({
      entityRef: target.entityRef,
      change: 'policy',
    });
    return { ...bad, endedPromotions: ended };
  }
}
