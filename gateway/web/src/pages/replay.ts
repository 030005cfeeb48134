import { archive, currentSession, describe, freshAccessToken } from "../api";
import { ReplaySpeed } from "../gen/iwouldargue/v1/archive_pb";
import { h, saveFile, show } from "../dom";
import { navigate } from "../router";

/**
 * An ended discussion played back: its comments appear at their original pace (1x, 2x or 4x) from any
 * point (seeking restarts the replay from that offset), and the whole discussion can be downloaded.
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
  const speed = h("select", { "aria-label": "Speed" },
    h("option", { value: String(ReplaySpeed.REPLAY_SPEED_1X) }, "1x"),
    h("option", { value: String(ReplaySpeed.REPLAY_SPEED_2X) }, "2x"),
    h("option", { value: String(ReplaySpeed.REPLAY_SPEED_4X) }, "4x"));
  const comments = h("ol", { class: "comments", "aria-label": "Comments" });
  const play = h("button", { type: "button", class: "primary", onclick: () => void start(Number(seek.value)) }, "Play");
  const stop = h("button", { type: "button", onclick: () => playing?.abort() }, "Pause");
  const download = h("button", { type: "button", onclick: () => void exportZip() }, "Download the discussion");
  seek.addEventListener("change", () => void start(Number(seek.value)));
  speed.addEventListener("change", () => { if (playing) void start(Number(seek.value)); });

  show(app, h("div", { class: "room" },
    h("header", { class: "room-head" }, h("h1", {}, "Replay"), status),
    h("section", { class: "card", "aria-label": "Playback" }, h("div", { class: "host-bar" }, play, stop, speed, clock, download), seek),
    h("section", { class: "chat card", "aria-label": "Replayed comments" }, comments)));

  // A first pass at 4x would take time; the length is learnt from the first full replay and from seeking.
  async function start(fromSeconds: number): Promise<void> {
    playing?.abort();
    const run = (playing = new AbortController());
    comments.replaceChildren();
    status.textContent = "Playing…";
    try {
      const stream = archive.replayDiscussion({
        discussionId,
        fromOffset: { seconds: BigInt(Math.floor(fromSeconds)), nanos: 0 },
        speed: Number(speed.value) as ReplaySpeed,
      }, { signal: run.signal });
      for await (const frame of stream) {
        const at = Number(frame.offset?.seconds ?? 0n);
        seek.max = String(Math.max(Number(seek.max), at));
        seek.value = String(at);
        clock.textContent = `${Math.floor(at / 60)}:${String(at % 60).padStart(2, "0")}`;
        const kind = frame.event?.kind;
        if (kind?.case === "commentPosted" && kind.value.comment) {
          const c = kind.value.comment;
          comments.append(h("li", { class: "comment" }, h("span", { class: "author" }, c.author?.displayName ?? ""), h("span", { class: "text" }, c.deleted ? "(deleted)" : c.text)));
          comments.scrollTop = comments.scrollHeight;
        }
      }
      status.textContent = "The end of the discussion.";
    } catch (error) {
      if (!run.signal.aborted) status.textContent = describe(error);
      else status.textContent = "Paused.";
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

  return () => playing?.abort();
}
