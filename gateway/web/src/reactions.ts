import { Reaction, type ReactionCount } from "./gen/iwouldargue/v1/events_pb";
import { h } from "./dom";

/** The reactions people can send, in the order they are offered. */
export const reactionKinds: { reaction: Reaction; emoji: string; name: string }[] = [
  { reaction: Reaction.HEART, emoji: "❤️", name: "Heart" },
  { reaction: Reaction.LAUGH, emoji: "😂", name: "Laugh" },
  { reaction: Reaction.CLAP, emoji: "👏", name: "Clap" },
  { reaction: Reaction.AGREE, emoji: "💯", name: "Agree" },
  { reaction: Reaction.THINKING, emoji: "🤔", name: "Thinking" },
];

/**
 * Counts with `reaction` set to `count`. Reacted events carry totals, not increments: setting them is what keeps a
 * comment whose CommentPosted already counted a reaction from counting it again when the Reacted event follows.
 */
export function withCount(counts: ReactionCount[], reaction: Reaction, count: number): ReactionCount[] {
  const rest = counts.filter((c) => c.reaction !== reaction);
  return [...rest, { $typeName: "iwouldargue.v1.ReactionCount" as const, reaction, count }].sort((a, b) => a.reaction - b.reaction);
}

/**
 * A row of reactions: the kinds already given, with their counts (a click adds one more), and a "React" button that
 * offers every kind. `react` is undefined when this person may not react (then only the counts show).
 */
export function reactionRow(counts: ReactionCount[], target: string, react?: (reaction: Reaction) => void): HTMLElement {
  const row = buildRow(counts, target, react);
  row.dataset.key = rowKey(counts, react !== undefined);
  return row;
}

/**
 * Every kind as its own button with its count, nothing to open: for the stage, which is drawn again at every event
 * (a picker there would close under the person's finger).
 */
export function reactionButtons(counts: ReactionCount[], target: string, react?: (reaction: Reaction) => void): HTMLElement {
  if (!react) return buildRow(counts, target);
  return h("div", { class: "reactions", role: "group", "aria-label": `React to ${target}` }, ...reactionKinds.map((k) => {
    const count = counts.find((c) => c.reaction === k.reaction)?.count ?? 0;
    return h("button", { type: "button", class: "chip", "aria-label": `${k.name} for ${target}${count ? ` (${count} so far)` : ""}`, onclick: () => react(k.reaction) },
      count ? `${k.emoji} ${count}` : k.emoji);
  }));
}

/** Replaces `row` with a new one only when what it shows changed (so an open picker stays open). */
export function refreshRow(row: Element | null, counts: ReactionCount[], mayReact: boolean, build: () => HTMLElement): void {
  if (row instanceof HTMLElement && row.dataset.key !== rowKey(counts, mayReact)) row.replaceWith(build());
}

function rowKey(counts: ReactionCount[], mayReact: boolean): string {
  return `${mayReact}|${counts.map((c) => `${c.reaction}:${c.count}`).join(",")}`;
}

function buildRow(counts: ReactionCount[], target: string, react?: (reaction: Reaction) => void): HTMLElement {
  const given = counts.filter((c) => c.count > 0).map((c) => {
    const kind = reactionKinds.find((k) => k.reaction === c.reaction);
    if (!kind) return null;
    const label = `${kind.name}: ${c.count}`;
    return react
      ? h("button", { type: "button", class: "chip", "aria-label": `${label}. Add a ${kind.name.toLowerCase()} for ${target}`, onclick: () => react(c.reaction) }, `${kind.emoji} ${c.count}`)
      : h("span", { class: "chip", "aria-label": label }, `${kind.emoji} ${c.count}`);
  });
  if (!react) return h("div", { class: "reactions" }, ...given);
  const picker = h("span", { class: "picker", role: "group", "aria-label": `React to ${target}`, hidden: true },
    ...reactionKinds.map((k) => h("button", { type: "button", "aria-label": k.name, title: k.name, onclick: () => { picker.hidden = true; react(k.reaction); } }, k.emoji)));
  const open = h("button", { type: "button", class: "link react", "aria-label": `React to ${target}`, "aria-expanded": "false",
    onclick: () => { picker.hidden = !picker.hidden; open.setAttribute("aria-expanded", String(!picker.hidden)); } }, "React");
  return h("div", { class: "reactions" }, ...given, open, picker);
}
