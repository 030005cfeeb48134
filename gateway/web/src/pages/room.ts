import { Code, ConnectError, currentSession, describe, discussions, live, media, reasonOf } from "../api";
import { Role } from "../gen/iwouldargue/v1/common_pb";
import { DiscussionState } from "../gen/iwouldargue/v1/discussions_pb";
import type { Comment } from "../gen/iwouldargue/v1/events_pb";
import { alertBox, h, linked, say, show, startsAt } from "../dom";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { navigate } from "../router";
import { RoomState, roleName } from "../room-state";
import { voicePanel } from "../voice";
import { filesPanel } from "../files";
import { audiencePanel } from "../audience";
import { reactionButtons, reactionRow, refreshRow } from "../reactions";
import { quoteLine, showPinned, snippet } from "../comment-parts";
import { reminderToggle } from "../reminder";
import { avatar } from "../avatar";
import type { Reaction } from "../gen/iwouldargue/v1/events_pb";

const heartbeatTimeout = 40_000; // the server sends one every 15 s
const CommentLimit = 2000; // code points, as the server counts them (common.proto)


/** The discussion room: live comments, hands, speakers and the host's controls. */
export function roomPage(app: HTMLElement, discussionId: string): () => void {
  const session = currentSession();
  if (!session) {
    navigate(`/signin?next=${encodeURIComponent(location.pathname)}`, true);
    return () => undefined;
  }
  const room = new RoomState(session.user.userId);
  const stop = new AbortController();

  // The page's parts; render() fills them from `room`.
  const title = h("h1", {}, "…");
  const status = h("p", { class: "status", role: "status", "aria-live": "polite" });
  const banner = h("p", { class: "banner", role: "alert", hidden: true });
  const replayLink = h("a", { href: `/replay/${discussionId}`, class: "replay-link", hidden: true }, "Watch the replay");
  // Set when this person may no longer be here (removed, banned): the room stays on screen, read-only.
  let goneReason: string | null = null;
  const hostBar = h("div", { class: "host-bar" });
  const reminder = reminderToggle(discussionId);
  const voice = voicePanel(discussionId);
  const files = filesPanel(discussionId);
  const audience = audiencePanel(discussionId, () => ({ userId: room.me, role: room.myRole }));
  const speakers = h("ul", { class: "people", "aria-label": "Host and speakers" });
  const hands = h("section", { class: "card", "aria-label": "Raised hands", hidden: true });
  const handButton = h("button", { type: "button", onclick: () => void toggleHand() });
  const comments = h("ol", { class: "comments", "aria-label": "Comments", tabindex: 0 });
  const pinnedBar = h("div", { class: "pinned", role: "note", "aria-label": "Pinned comment", hidden: true });
  const jump = h("button", { type: "button", class: "jump", hidden: true, onclick: () => scrollToEnd() }, "New comments ↓");
  // No maxlength: it would cut a pasted comment silently. The counter says how long it is; past the limit it is refused whole.
  const text = h("textarea", { name: "comment", rows: 2, placeholder: "Say something…", "aria-label": "Your comment", "aria-describedby": "comment-count" });
  const count = h("span", { id: "comment-count", class: "count", "aria-live": "polite" });
  const problem = alertBox();
  const post = h("button", { type: "submit", class: "primary" }, "Post");
  // "Replying to …" above the box while a reply is being written; × goes back to a plain comment.
  let replyTo: Comment | null = null;
  const replying = h("p", { class: "replying", hidden: true, "aria-live": "polite" });
  const composer = h("form", { class: "composer", onsubmit: (e: Event) => { e.preventDefault(); void postComment(); } }, text, count, post);
  const length = (): number => [...text.value.trim()].length;
  const countCharacters = (): void => {
    const n = length();
    count.textContent = n > CommentLimit - 200 ? `${n} / ${CommentLimit}` : "";
    count.classList.toggle("over", n > CommentLimit);
  };
  text.addEventListener("input", countCharacters);
  text.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      void postComment();
    }
  });

  // For someone signed in who opened a live discussion they are not in (from "Live now"): the way in.
  const joinProblem = alertBox();
  const joinButton = h("button", { type: "button", class: "primary", onclick: () => void joinListed() }, "Join the discussion");
  const joinOffer = h("section", { class: "card join-offer", hidden: true },
    h("p", {}, "You are not in this discussion yet. Join to listen, comment and raise your hand."), joinProblem, joinButton);
  // On a phone the comments come first (the column order); from tablet width they sit beside the side panel.
  const body = h("div", { class: "room-body" },
    h("section", { class: "chat card", "aria-label": "Live comments" }, pinnedBar, comments, jump, problem, replying, composer),
    h("aside", { class: "side" },
      voice.element,
      h("section", { class: "card" }, h("h2", {}, "On stage"), speakers),
      h("p", {}, handButton),
      hands,
      audience.element,
      files.element));

  show(app, h("div", { class: "room" },
    h("header", { class: "room-head" }, title, status, hostBar, reminder.element),
    banner,
    replayLink,
    joinOffer,
    body));

  // Auto-scroll follows new comments unless the reader scrolled up to read.
  let following = true;
  comments.addEventListener("scroll", () => {
    following = comments.scrollTop + comments.clientHeight >= comments.scrollHeight - 40;
    if (following) jump.hidden = true;
  });
  function scrollToEnd(): void {
    comments.scrollTop = comments.scrollHeight;
    following = true;
    jump.hidden = true;
  }

  async function act(action: () => Promise<unknown>): Promise<boolean> {
    say(problem, null);
    try {
      await action();
      return true;
    } catch (error) {
      say(problem, describe(error));
      return false;
    }
  }

  async function postComment(): Promise<void> {
    const value = text.value.trim();
    if (!value || post.disabled) return;
    if (length() > CommentLimit) {
      say(problem, `Your comment is ${length()} characters; the limit is ${CommentLimit}. Shorten it, or post it in parts.`);
      return;
    }
    say(problem, null);
    post.disabled = true;
    if (await act(() => discussions.postComment({ discussionId, text: value, replyToCommentId: replyTo?.commentId ?? "" }))) {
      text.value = "";
      countCharacters();
      replyToComment(null);
    }
    post.disabled = false;
    text.focus();
  }

  function replyToComment(c: Comment | null): void {
    replyTo = c;
    replying.hidden = c === null;
    if (c === null) return;
    show(replying, "Replying to ", h("bdi", { dir: "auto" }, c.author?.displayName ?? "someone"), ": ",
      h("bdi", { class: "snippet", dir: "auto" }, snippet(c.text)),
      h("button", { type: "button", class: "link", "aria-label": "Cancel the reply", onclick: () => { replyToComment(null); text.focus(); } }, "×"));
    text.focus();
  }

  async function toggleHand(): Promise<void> {
    await act(() => room.hasRaisedHand() ? discussions.lowerHand({ discussionId, userId: "" }) : discussions.raiseHand({ discussionId }));
  }

  function render(): void {
    const d = room.discussion;
    if (!d) return;
    title.textContent = d.title;
    const state = d.state === DiscussionState.LIVE ? "Live" : d.state === DiscussionState.ENDED ? "Ended"
      : d.scheduledStartAt ? `Starts ${startsAt(timestampDate(d.scheduledStartAt))}` : "Not started yet";
    status.textContent = goneReason ? "You are no longer in this discussion"
      : room.ended ? `${state} · you were the ${roleName(room.myRole)}`
      : `${state} · ${room.attendeeCount} ${room.attendeeCount === 1 ? "person" : "people"} here · you are the ${roleName(room.myRole)}`;
    renderHostBar();
    // Accounts only: a guest's pass is for this one discussion and has no dashboard to be reminded on.
    reminder.refresh(d.state === DiscussionState.SCHEDULED && !room.ended && goneReason === null && room.myRole !== Role.HOST && !session!.user.guest);
    show(speakers, ...[...room.speakers.values()].sort((a, b) => b.role - a.role).map((a) => h("li", {},
      avatar(a.user, "large"), " ", h("bdi", { class: "name", dir: "auto" }, a.user!.displayName), " ", h("span", { class: "badge" }, roleName(a.role)), a.muted ? " (muted)" : "",
      reactionButtons(a.reactions, a.user!.displayName, mayReact() && a.user!.userId !== room.me
        ? (reaction) => void act(() => discussions.react({ discussionId, reaction, target: { case: "speakerUserId", value: a.user!.userId } })) : undefined),
      room.moderator && a.role < room.myRole && a.role !== Role.HOST
        ? h("span", { class: "actions" },
            a.muted ? null : h("button", { type: "button", onclick: () => act(() => media.muteParticipant({ discussionId, userId: a.user!.userId })) }, "Mute"),
            h("button", { type: "button", onclick: () => act(() => discussions.changeRole({ discussionId, userId: a.user!.userId, role: Role.ATTENDEE })) }, "Move to audience"),
            h("button", { type: "button", onclick: () => act(() => discussions.removeAttendee({ discussionId, userId: a.user!.userId })) }, "Remove"))
        : null)));
    handButton.textContent = room.hasRaisedHand() ? "Lower your hand" : "Raise your hand";
    handButton.hidden = room.myRole !== Role.ATTENDEE || room.ended || goneReason !== null;
    hands.hidden = !room.moderator || room.hands.length === 0 || goneReason !== null;
    show(hands, h("h2", {}, `Raised hands (${room.hands.length})`), h("ol", { class: "people" }, ...room.hands.map((hand) => h("li", {},
      h("span", { class: "name" }, hand.user!.displayName), " ",
      h("span", { class: "actions" },
        h("button", { type: "button", class: "primary", onclick: () => act(() => discussions.changeRole({ discussionId, userId: hand.user!.userId, role: Role.PARTICIPANT })) }, "Invite to speak"),
        h("button", { type: "button", onclick: () => act(() => discussions.lowerHand({ discussionId, userId: hand.user!.userId })) }, "Lower"),
        h("button", { type: "button", onclick: () => act(() => discussions.removeAttendee({ discussionId, userId: hand.user!.userId })) }, "Remove"))))));
    const closed = room.ended || d.state !== DiscussionState.LIVE || goneReason !== null;
    audience.setVisible(room.moderator && !closed);
    voice.refresh(!closed);
    files.setCanShare(!closed && room.myRole >= Role.PARTICIPANT);
    text.disabled = post.disabled = closed;
    comments.classList.toggle("closed", closed);
    if (closed) replyToComment(null);
    renderComments();
    text.placeholder = goneReason ? "You can no longer comment here." : room.ended ? "The discussion has ended." : closed ? "Comments open when the host starts." : "Say something…";
    replayLink.hidden = !room.ended || goneReason !== null;
    if (goneReason) showBanner(goneReason);
    else if (room.ended) showBanner("This discussion has ended.");
  }

  // Removed or banned: what they saw stays, but nothing offers what they may no longer do.
  function leaveRoom(reason: string): void {
    goneReason = reason;
    voice.leave();
    render();
    if (!room.discussion) {
      showBanner(reason);
      text.disabled = post.disabled = true;
    }
  }

  async function offerJoin(refusal: string): Promise<void> {
    let d;
    try {
      d = (await discussions.getDiscussion({ discussionId })).discussion;
    } catch {
      d = undefined;
    }
    if (d?.state !== DiscussionState.LIVE) {
      leaveRoom(d?.state === DiscussionState.ENDED ? "This discussion has ended; its replay is for those who were in it." : refusal);
      return;
    }
    title.textContent = d.title;
    status.textContent = `Live · ${d.attendeeCount} ${d.attendeeCount === 1 ? "person" : "people"} here`;
    voice.leave();
    body.hidden = true;
    joinOffer.hidden = false;
    joinButton.focus();
  }

  async function joinListed(): Promise<void> {
    say(joinProblem, null);
    joinButton.disabled = true;
    try {
      await discussions.joinDiscussion({ discussionId });
      joinOffer.hidden = true;
      body.hidden = false;
      void watch();
    } catch (error) {
      say(joinProblem, describe(error));
    } finally {
      joinButton.disabled = false;
    }
  }

  function renderHostBar(): void {
    const d = room.discussion!;
    if (!room.moderator || goneReason) return show(hostBar);
    const link = `${location.origin}/join/${d.inviteCode}`;
    const linkBox = h("input", { type: "text", readOnly: true, value: link, "aria-label": "Join link", class: "join-link" });
    show(hostBar,
      d.inviteCode && !room.ended ? linkBox : null,
      d.inviteCode && !room.ended ? h("button", { type: "button", onclick: async (e: Event) => {
        const button = e.currentTarget as HTMLButtonElement;
        try {
          await navigator.clipboard.writeText(link);
          button.textContent = "Copied";
        } catch {
          linkBox.select();
          button.textContent = "Press Ctrl+C to copy";
        }
      } }, "Copy join link") : null,
      d.state === DiscussionState.SCHEDULED && room.myRole === Role.HOST
        ? h("button", { type: "button", class: "primary", onclick: () => act(() => discussions.startDiscussion({ discussionId })) }, "Start now") : null,
      d.state === DiscussionState.LIVE && room.myRole === Role.HOST
        ? h("button", { type: "button", class: "danger", onclick: () => confirm("End the discussion for everyone?") && act(() => discussions.endDiscussion({ discussionId })) }, "End discussion") : null);
  }

  let rendered = new Map<string, HTMLLIElement>();
  function renderPinned(): void {
    pinnedBar.hidden = room.pinnedId === "";
    if (pinnedBar.hidden) return;
    showPinned(pinnedBar, room.pinned,
      room.moderator && !comments.classList.contains("closed")
        ? h("button", { type: "button", class: "link", onclick: () => act(() => discussions.pinComment({ discussionId, commentId: "" })) }, "Unpin") : null);
  }

  function renderComments(): void {
    renderPinned();
    const next = new Map<string, HTMLLIElement>();
    const items = room.comments.map((c) => {
      const item = rendered.get(c.commentId) ?? commentItem(c);
      refreshRow(item.querySelector(".reactions"), c.reactions, mayReact(), () => commentReactions(c));
      next.set(c.commentId, item);
      return item;
    });
    const added = items.length > 0 && items[items.length - 1] !== comments.lastElementChild;
    rendered = next;
    show(comments, ...(items.length ? items : [h("li", { class: "muted empty" }, "No comments yet.")]));
    if (following) comments.scrollTop = comments.scrollHeight;
    else if (added) jump.hidden = false;
  }

  function commentItem(c: Comment): HTMLLIElement {
    const mayDelete = room.moderator || c.author?.userId === room.me;
    return h("li", { class: "comment", "data-seq": String(c.seq), "data-id": c.commentId },
      c.replyToCommentId ? quoteOf(c.replyToCommentId) : null,
      avatar(c.author),
      h("bdi", { class: "author", dir: "auto" }, c.author?.displayName ?? "someone", c.author?.guest ? " (guest)" : ""),
      h("bdi", { class: "text", dir: "auto" }, ...linked(c.text)),
      h("button", { type: "button", class: "link reply", "aria-label": `Reply to ${c.author?.displayName}`, onclick: () => replyToComment(c) }, "Reply"),
      room.moderator ? h("button", { type: "button", class: "link pin", "aria-label": `Pin the comment by ${c.author?.displayName}`, onclick: () => act(() => discussions.pinComment({ discussionId, commentId: c.commentId })) }, "Pin") : null,
      mayDelete ? h("button", { type: "button", class: "link", "aria-label": `Delete comment by ${c.author?.displayName}`, onclick: () => act(() => discussions.deleteComment({ discussionId, commentId: c.commentId })) }, "Delete") : null,
      commentReactions(c));
  }

  // Reacting is open to whoever may comment (guests only where the host allows them to comment).
  function mayReact(): boolean {
    const d = room.discussion;
    return d?.state === DiscussionState.LIVE && goneReason === null && (!session!.user.guest || d.guestsMayComment);
  }

  function commentReactions(c: Comment): HTMLElement {
    const react = (reaction: Reaction) => void act(() => discussions.react({ discussionId, reaction, target: { case: "commentId", value: c.commentId } }));
    return reactionRow(c.reactions, `the comment by ${c.author?.displayName ?? "someone"}`, mayReact() ? react : undefined);
  }

  function quoteOf(commentId: string): HTMLElement {
    return quoteLine(room.comments.find((x) => x.commentId === commentId), comments);
  }

  function showBanner(message: string | null): void {
    say(banner, message);
  }

  // The live stream: a snapshot, then events; on any break, reconnect and resume after the last
  // sequence number applied, so nothing is missed and nothing shown twice.
  let current: AbortController | undefined;
  const restart = () => current?.abort();
  window.addEventListener("offline", restart);
  window.addEventListener("online", restart);

  async function watch(): Promise<void> {
    let failures = 0;
    while (!stop.signal.aborted) {
      current = new AbortController();
      const abort = () => current!.abort();
      stop.signal.addEventListener("abort", abort);
      let watchdog = setTimeout(abort, heartbeatTimeout);
      try {
        if (!navigator.onLine) throw new ConnectError("offline", Code.Unavailable);
        const stream = live.watch({ discussionId, resumeAfterSeq: room.lastSeq }, { signal: current.signal });
        for await (const response of stream) {
          clearTimeout(watchdog);
          watchdog = setTimeout(abort, heartbeatTimeout);
          failures = 0;
          if (!room.ended) showBanner(null);
          const frame = response.frame;
          if (frame.case === "snapshot") {
            rendered.clear();
            room.reset(frame.value);
            void files.load();
          } else if (frame.case === "events") {
            for (const e of frame.value.events) {
              if (!room.apply(e)) continue;
              if (e.kind.case === "attendeeJoined" || e.kind.case === "attendeeLeft" || e.kind.case === "roleChanged") audience.changed();
              if (e.kind.case === "attachmentAdded") files.added(e.kind.value.attachment!);
              if (e.kind.case === "attachmentRemoved") files.removed(e.kind.value.attachmentId);
            }
          } else if (frame.case === "resync") {
            break; // the server asks us to reconnect and resume
          }
          render();
        }
        if (room.ended) return;
      } catch (error) {
        if (stop.signal.aborted) return;
        const e = ConnectError.from(error);
        if (e.code === Code.PermissionDenied && reasonOf(error) === "NOT_A_MEMBER") {
          void offerJoin(describe(error));
          return;
        }
        if (e.code === Code.PermissionDenied || e.code === Code.NotFound || e.code === Code.Unauthenticated) {
          leaveRoom(describe(error));
          return;
        }
        failures++;
        showBanner(navigator.onLine ? "Reconnecting…" : "You are offline. Reconnecting when the connection is back…");
        await delay(Math.min(10_000, 500 * 2 ** Math.min(failures, 5)), stop.signal, current.signal);
      } finally {
        clearTimeout(watchdog);
        stop.signal.removeEventListener("abort", abort);
      }
    }
  }

  // A scheduled discussion's countdown moves on by itself.
  const countdown = setInterval(() => { if (room.discussion?.state === DiscussionState.SCHEDULED) render(); }, 30_000);

  void watch();
  return () => {
    clearInterval(countdown);
    stop.abort();
    voice.leave();
    files.dispose();
    audience.dispose();
    window.removeEventListener("offline", restart);
    window.removeEventListener("online", restart);
  };
}

function delay(ms: number, ...signals: AbortSignal[]): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    const wake = () => { clearTimeout(timer); resolve(); };
    signals.forEach((s) => s.aborted ? wake() : s.addEventListener("abort", wake, { once: true }));
  });
}
