import type { Comment } from "./gen/iwouldargue/v1/events_pb";
import { h, linked, show } from "./dom";

// Parts of a comment shown alike in the live room and in the replay.

/** The start of a comment, on one line, for a reply's quote. */
export function snippet(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return [...line].length > 80 ? [...line].slice(0, 80).join("") + "…" : line;
}

/**
 * The comment a reply answers, quoted on one line; a click shows it in `list`. One not on the page (deleted, or from
 * before the comments held here) is named as such.
 */
export function quoteLine(parent: Comment | undefined, list: HTMLElement): HTMLElement {
  if (!parent) return h("span", { class: "quote muted" }, "↪ an earlier comment");
  return h("button", { type: "button", class: "quote", "aria-label": `In reply to ${parent.author?.displayName}: ${snippet(parent.text)}`,
    onclick: () => list.querySelector<HTMLElement>(`[data-id="${CSS.escape(parent.commentId)}"]`)?.scrollIntoView({ block: "center" }) },
    "↪ ", h("bdi", { dir: "auto" }, parent.author?.displayName ?? "someone"), ": ", h("bdi", { dir: "auto" }, snippet(parent.text)));
}

/** Fills the "Pinned" note: the comment when it is held here, else a word that one from earlier is pinned. */
export function showPinned(note: HTMLElement, pinned: Comment | undefined, ...actions: (Node | null)[]): void {
  show(note, h("span", { class: "badge" }, "Pinned"),
    pinned ? h("bdi", { class: "author", dir: "auto" }, pinned.author?.displayName ?? "someone") : null,
    pinned ? h("bdi", { class: "text", dir: "auto" }, ...linked(pinned.text)) : h("span", { class: "muted" }, "A comment from earlier in the discussion."),
    ...actions);
}
