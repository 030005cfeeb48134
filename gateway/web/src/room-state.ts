import type { UserRef } from "./gen/iwouldargue/v1/common_pb";
import { Role } from "./gen/iwouldargue/v1/common_pb";
import type { Attendee, Discussion, RaisedHand } from "./gen/iwouldargue/v1/discussions_pb";
import { DiscussionState } from "./gen/iwouldargue/v1/discussions_pb";
import { LeaveReason, type Comment, type DiscussionEvent } from "./gen/iwouldargue/v1/events_pb";
import { withCount } from "./reactions";
import type { Snapshot } from "./gen/iwouldargue/v1/live_pb";

/**
 * A discussion as one viewer sees it, rebuilt from a Watch snapshot and then the events in order. Each
 * event is applied once: anything at or below the last sequence number seen is a repeat and ignored,
 * which is what makes reconnecting safe.
 */
export class RoomState {
  discussion?: Discussion;
  speakers = new Map<string, Attendee>();
  hands: RaisedHand[] = [];
  attendeeCount = 0;
  comments: Comment[] = [];
  /** The comment pinned above the others; pinnedId without pinned when it is older than the comments held here. */
  pinned: Comment | undefined;
  pinnedId = "";
  lastSeq = 0n;
  myRole = Role.UNSPECIFIED;

  constructor(readonly me: string) {}

  get ended(): boolean {
    return this.discussion?.state === DiscussionState.ENDED;
  }

  get moderator(): boolean {
    return this.myRole >= Role.CO_HOST;
  }

  hasRaisedHand(userId = this.me): boolean {
    return this.hands.some((hand) => hand.user?.userId === userId);
  }

  reset(snapshot: Snapshot): void {
    this.discussion = snapshot.discussion;
    this.speakers = new Map(snapshot.speakers.map((a) => [a.user!.userId, a]));
    this.hands = [...snapshot.raisedHands];
    this.attendeeCount = snapshot.attendeeCount;
    this.comments = [...snapshot.recentComments];
    this.pinned = snapshot.pinnedComment;
    this.pinnedId = snapshot.pinnedComment?.commentId ?? "";
    this.lastSeq = snapshot.seq;
    this.myRole = snapshot.discussion?.callerRole ?? Role.ATTENDEE;
  }

  /** Applies one event; false when it was already applied. */
  apply(event: DiscussionEvent): boolean {
    if (event.seq <= this.lastSeq) return false;
    this.lastSeq = event.seq;
    const kind = event.kind;
    switch (kind.case) {
      case "commentPosted":
        this.comments.push(kind.value.comment!);
        break;
      case "commentDeleted":
        this.comments = this.comments.filter((c) => c.commentId !== kind.value.commentId);
        if (this.pinnedId === kind.value.commentId) this.pinned = undefined;
        break;
      case "commentPinned":
        this.pinnedId = kind.value.commentId;
        // The snapshot may have brought this very pin already, with a comment older than those held here.
        this.pinned = kind.value.commentId === this.pinned?.commentId ? this.pinned : this.comments.find((c) => c.commentId === kind.value.commentId);
        break;
      case "handRaised":
        this.hands = this.hands.filter((h) => h.user?.userId !== kind.value.user?.userId);
        this.hands.push({ $typeName: "iwouldargue.v1.RaisedHand", user: kind.value.user, raisedAt: kind.value.raisedAt });
        break;
      case "handLowered":
        this.hands = this.hands.filter((h) => h.user?.userId !== kind.value.user?.userId);
        break;
      case "roleChanged":
        this.setRole(kind.value.user!, kind.value.role);
        break;
      case "attendeeJoined":
        this.attendeeCount = kind.value.attendeeCount;
        if (kind.value.role >= Role.PARTICIPANT) this.setRole(kind.value.user!, kind.value.role);
        break;
      case "attendeeLeft":
        this.attendeeCount = kind.value.attendeeCount;
        this.hands = this.hands.filter((h) => h.user?.userId !== kind.value.user?.userId);
        // Someone who only lost their connection is still a member, and keeps their role.
        if (kind.value.reason !== LeaveReason.DISCONNECTED) this.speakers.delete(kind.value.user!.userId);
        break;
      case "discussionStarted":
        if (this.discussion) this.discussion = { ...this.discussion, state: DiscussionState.LIVE, startedAt: kind.value.startedAt };
        break;
      case "discussionEnded":
        if (this.discussion) this.discussion = { ...this.discussion, state: DiscussionState.ENDED, endedAt: kind.value.endedAt };
        break;
      case "reacted": {
        const { commentId, speakerUserId, reaction, count } = kind.value;
        if (commentId) {
          for (const c of [this.comments.find((x) => x.commentId === commentId), this.pinned?.commentId === commentId ? this.pinned : undefined]) {
            if (c) c.reactions = withCount(c.reactions, reaction, count);
          }
        } else {
          const speaker = this.speakers.get(speakerUserId);
          if (speaker) this.speakers.set(speakerUserId, { ...speaker, reactions: withCount(speaker.reactions, reaction, count) });
        }
        break;
      }
      case "participantMuted": {
        const speaker = this.speakers.get(kind.value.user!.userId);
        if (speaker) this.speakers.set(speaker.user!.userId, { ...speaker, muted: true });
        break;
      }
    }
    return true;
  }

  private setRole(user: UserRef, role: Role): void {
    if (user.userId === this.me) this.myRole = role;
    if (role >= Role.PARTICIPANT) {
      this.speakers.set(user.userId, { $typeName: "iwouldargue.v1.Attendee", user, role, muted: false, reactions: this.speakers.get(user.userId)?.reactions ?? [] });
    } else {
      this.speakers.delete(user.userId);
    }
  }
}

export function roleName(role: Role): string {
  switch (role) {
    case Role.HOST: return "host";
    case Role.CO_HOST: return "co-host";
    case Role.PARTICIPANT: return "speaker";
    default: return "listener";
  }
}
