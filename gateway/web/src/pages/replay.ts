import { avatar } from "../avatar";
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { archive, currentSession, describe, discussions, freshAccessToken, media } from "../api";
import { ReplaySpeed } from "../gen/iwouldargue/v1/archive_pb";
import { RecordingState } from "../gen/iwouldargue/v1/media_pb";
import { h, linked, saveFile, show } from "../dom";
import { navigate } from "../router";
import { filesPanel } from "../files";
import type { Comment, DiscussionEvent } from "../gen/iwouldargue/v1/events_pb";
import { quoteLine, showPinned } from "../comment-parts";
import { reactionRow, withCount } from "../reactions";

const rates: Record<string, number> = {
  [String(ReplaySpeed.REPLAY_SPEED_1X)]: 1,
  [String(ReplaySpeed.REPLAY_SPEED_2X)]: 2,
  [String(ReplaySpeed.REPLAY_SPEED_4X)]: 4,
};

/**
 * An ended discussion played back: its comments appear at their original pace (1x, 2x or 4x) from any
 * point (seeking restarts the replay from that offset), and the whole discussion can be downloaded.
 * When the voice was recorded, the recording plays and leads: the comments follow its position, speed,
 * pauses and seeks (each restarts the replay from the matching offset).
 */
export function replayPage(app: HTMLElement, discussionId: string): () => void {
  if (!currentSession()) {
    navigate(`/signin?next=${encodeURIComponent(location.pathname)}`, true);
    return () => undefined;
  }
  let playing: AbortController | undefined;
  const status = h("p", { class: "status", role: "status" }, "Ready to play.");
  const clock = h("span", { class: "muted" }, "0:00");
  const seek = h("input", { type: "range", min: 0, max: 0, value: 0, step: 1, "aria-label": "Position in the discussion (seconds)" });
  const audio = h("audio", { controls: true, preload: "auto", hidden: true, "aria-label": "Recording" });
  // Seconds from the discussion's start to the recording's: audio time + lead = discussion offset.
  let lead = 0;
  let audioUrl: string | undefined;
  const speed = h("select", { "aria-label": "Speed" },
    h("option", { value: String(ReplaySpeed.REPLAY_SPEED_1X) }, "1x"),
    h("option", { value: String(ReplaySpeed.REPLAY_SPEED_2X) }, "2x"),
    h("option", { value: String(ReplaySpeed.REPLAY_SPEED_4X) }, "4x"));
  const comments = h("ol", { class: "comments", "aria-label": "Comments" });
  const pinnedNote = h("div", { class: "pinned", role: "note", "aria-label": "Pinned comment", hidden: true });
  // The comments replayed so far, by id: what replies quote, what a pin shows and what reactions count on.
  let replayed = new Map<string, { comment: Comment; item: HTMLLIElement }>();
  const play = h("button", { type: "button", class: "primary", onclick: () => void (audioUrl ? audio.play() : start(Number(seek.value))) }, "Play");
  const stop = h("button", { type: "button", onclick: () => (audioUrl ? audio.pause() : playing?.abort()) }, "Pause");
  const download = h("button", { type: "button", onclick: () => void exportZip() }, "Download the discussion");
  seek.addEventListener("change", () => void start(Number(seek.value)));
  speed.addEventListener("change", () => {
    if (audioUrl) audio.playbackRate = rates[speed.value] ?? 1;
    else if (playing) void start(Number(seek.value));
  });
  audio.addEventListener("play", () => void start(audio.currentTime + lead));
  audio.addEventListener("pause", () => playing?.abort());
  audio.addEventListener("seeked", () => { if (!audio.paused) void start(audio.currentTime + lead); });
  audio.addEventListener("ratechange", () => {
    // The replay comes at 1x, 2x or 4x: a rate picked in the player's own menu follows when it is one of them.
    const chosen = Object.keys(rates).find((key) => rates[key] === audio.playbackRate);
    if (!chosen) { audio.playbackRate = rates[speed.value] ?? 1; return; }
    speed.value = chosen;
    if (!audio.paused) void start(audio.currentTime + lead);
  });

  // The files shared during the discussion, to download (nothing more can be shared).
  const files = filesPanel(discussionId);
  files.setCanShare(false);
  const title = h("h1", {}, "Replay");
  const about = h("p", { class: "muted" });
  show(app, h("div", { class: "room" },
    h("header", { class: "room-head" }, title, about, status),
    h("section", { class: "card", "aria-label": "Playback" }, h("div", { class: "host-bar" }, play, stop, speed, clock, download), seek, audio),
    h("section", { class: "chat card", "aria-label": "Replayed comments" }, pinnedNote, comments),
    files.element));
  void files.load();
  void loadRecording();
  void loadHeading();

  // What is replayed: its title, its host, when it took place.
  async function loadHeading(): Promise<void> {
    try {
      const d = (await discussions.getDiscussion({ discussionId })).discussion;
      if (!d) return;
      title.textContent = `Replay: ${d.title}`;
      const when = d.startedAt ? new Date(seconds(d.startedAt) * 1000) : undefined;
      about.replaceChildren("Hosted by ", h("bdi", { dir: "auto" }, d.host?.displayName ?? "someone"),
        when ? ` · ${when.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })}` : "",
        d.startedAt && d.endedAt ? ` · ${Math.max(1, Math.round((seconds(d.endedAt) - seconds(d.startedAt)) / 60))} min` : "");
    } catch (error) {
      about.textContent = describe(error);
    }
  }

  // The player streams the recording with range requests through a short-lived link (an <audio> element
  // cannot send the access token); the link is asked for with the token.
  async function loadRecording(): Promise<void> {
    let recording;
    let startedAt: Timestamp | undefined;
    try {
      recording = (await media.getRecording({ discussionId })).recording;
      if (recording?.state !== RecordingState.READY || !recording.downloadPath) return;
      startedAt = (await discussions.getDiscussion({ discussionId })).discussion?.startedAt;
    } catch {
      return; // not recorded (or voice not set up here): the comments play on their own
    }
    try {
      const token = await freshAccessToken();
      const response = await fetch(`${recording.downloadPath}/link`, { method: "POST", headers: token ? { Authorization: `Bearer ${token}` } : {} });
      const answer = (await response.json().catch(() => ({}))) as { url?: string; error?: string };
      if (!response.ok || !answer.url) throw new Error(answer.error ?? "");
      lead = seconds(recording.startedAt) - seconds(startedAt);
      audioUrl = answer.url;
      audio.src = audioUrl;
      audio.playbackRate = rates[speed.value] ?? 1;
      audio.hidden = false;
      seek.hidden = true;
      status.textContent = "Ready to play: the comments follow the recording.";
    } catch (error) {
      status.textContent = `The recording could not be loaded${error instanceof Error && error.message ? ` (${error.message})` : ""}; the comments still play on their own.`;
    }
  }

  // A first pass at 4x would take time; the length is learnt from the first full replay and from seeking.
  async function start(fromSeconds: number): Promise<void> {
    playing?.abort();
    const run = (playing = new AbortController());
    const from = Math.max(0, fromSeconds);
    comments.replaceChildren();
    replayed = new Map();
    pinnedNote.hidden = true;
    status.textContent = "Playing…";
    try {
      const stream = archive.replayDiscussion({
        discussionId,
        fromOffset: { seconds: BigInt(Math.floor(from)), nanos: Math.floor((from % 1) * 1e9) },
        speed: Number(speed.value) as ReplaySpeed,
      }, { signal: run.signal });
      for await (const frame of stream) {
        const at = Number(frame.offset?.seconds ?? 0n);
        seek.max = String(Math.max(Number(seek.max), at));
        seek.value = String(at);
        clock.textContent = `${Math.floor(at / 60)}:${String(at % 60).padStart(2, "0")}`;
        if (frame.event) replay(frame.event.kind);
      }
      status.textContent = "The end of the discussion.";
    } catch (error) {
      if (!run.signal.aborted) status.textContent = describe(error);
      else status.textContent = "Paused.";
    }
  }

  // One replayed event on the page, as the live room showed it then: comments with the one they answer, the pin,
  // reactions with their totals (a comment comes back with none; each Reacted sets its kind's total).
  function replay(kind: DiscussionEvent["kind"]): void {
    switch (kind.case) {
      case "commentPosted": {
        const c = kind.value.comment;
        // A deleted comment is gone from the replay as it went from the live room.
        if (!c || c.deleted) return;
        const item = h("li", { class: "comment", "data-id": c.commentId },
          c.replyToCommentId ? quoteLine(replayed.get(c.replyToCommentId)?.comment, comments) : null,
          avatar(c.author), h("bdi", { class: "author", dir: "auto" }, c.author?.displayName ?? ""), h("bdi", { class: "text", dir: "auto" }, ...linked(c.text)),
          reactionRow(c.reactions, `the comment by ${c.author?.displayName ?? "someone"}`));
        replayed.set(c.commentId, { comment: c, item });
        comments.append(item);
        comments.scrollTop = comments.scrollHeight;
        break;
      }
      case "commentPinned":
        pinnedNote.hidden = kind.value.commentId === "";
        if (!pinnedNote.hidden) showPinned(pinnedNote, replayed.get(kind.value.commentId)?.comment);
        break;
      case "reacted": {
        const shown = replayed.get(kind.value.commentId);
        if (!shown) return;
        shown.comment.reactions = withCount(shown.comment.reactions, kind.value.reaction, kind.value.count);
        shown.item.querySelector(".reactions")?.replaceWith(reactionRow(shown.comment.reactions, `the comment by ${shown.comment.author?.displayName ?? "someone"}`));
        break;
      }
    }
  }

  async function exportZip(): Promise<void> {
    try {
      const token = await freshAccessToken();
      const response = await fetch(`/archive/${encodeURIComponent(discussionId)}/export.zip`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
      if (!response.ok) throw new Error(((await response.json().catch(() => ({}))) as { error?: string }).error ?? "The download failed.");
      saveFile(await response.blob(), `discussion-${discussionId}.zip`);
    } catch (error) {
      status.textContent = error instanceof Error ? error.message : describe(error);
    }
  }

  return () => {
    files.dispose();
    playing?.abort();
    audio.pause();
    audio.removeAttribute("src");
  };
}

function seconds(at: Timestamp | undefined): number {
  return at ? Number(at.seconds) + at.nanos / 1e9 : 0;
}
