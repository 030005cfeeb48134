import { archive, currentSession, describe, discussions } from "../api";
import { DiscussionFilter, DiscussionState, type Discussion } from "../gen/iwouldargue/v1/discussions_pb";
import { alertBox, field, h, show, startsAt } from "../dom";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { submitting } from "../forms";
import { navigate } from "../router";

const reminderPoll = 15_000;

/** The host's home: create a discussion, see one's own, the ones waited for, and the live ones. */
export function dashboardPage(app: HTMLElement): void | (() => void) {
  const session = currentSession();
  if (!session) return navigate("/signin", true);
  if (session.user.guest) {
    show(app, h("section", { class: "card narrow" },
      h("h1", {}, `You are a guest, ${session.user.displayName}`),
      h("p", {}, "Guests take part in the one discussion they joined."),
      h("p", {}, h("a", { href: `/d/${session.discussionId}` }, "Back to the discussion"), " · ", h("a", { href: "/signup" }, "Create an account to host"))));
    return;
  }
  const title = h("input", { type: "text", name: "title", required: true, maxLength: 120 });
  const description = h("textarea", { name: "description", rows: 2, maxLength: 2000 });
  const start = h("input", { type: "datetime-local", name: "scheduled_start_at" });
  const guests = h("input", { type: "checkbox", name: "guests_may_comment", checked: true });
  const record = h("input", { type: "checkbox", name: "record_voice" });
  const problem = alertBox();
  const submit = h("button", { type: "submit", class: "primary" }, "Create");
  const create = h("form", {
    class: "card",
    onsubmit: submitting(submit, problem, async () => {
      const { discussion } = await discussions.createDiscussion({
        title: title.value,
        description: description.value,
        guestsMayComment: guests.checked,
        recordVoice: record.checked,
        scheduledStartAt: start.value ? timestampFromDate(new Date(start.value)) : undefined,
      });
      navigate(`/d/${discussion!.discussionId}`);
    }),
  },
    h("h2", {}, "Start a discussion"),
    field("Title", title),
    field("Description (optional)", description),
    field("Starts at (optional; start it yourself when the time comes)", start),
    h("label", { class: "check" }, guests, " Guests who join by link may comment"),
    h("label", { class: "check" }, record, " Record the voice (when this server has voice)"),
    problem,
    submit);
  const mine = h("section", { class: "card", "aria-labelledby": "mine" }, h("h2", { id: "mine" }, "Your discussions"), h("p", {}, "Loading…"));
  const reminders = h("section", { class: "card", "aria-labelledby": "reminders" }, h("h2", { id: "reminders" }, "Reminders"), h("p", {}, "Loading…"));
  const started = h("p", { class: "banner", role: "alert", hidden: true });
  const liveNow = h("section", { class: "card", "aria-labelledby": "live" }, h("h2", { id: "live" }, "Live now"), h("p", {}, "Loading…"));
  const past = h("section", { class: "card", "aria-labelledby": "past" }, h("h2", { id: "past" }, "Past week"), h("p", {}, "Loading…"));
  show(app, h("div", { class: "dashboard" }, started, create, mine, reminders, liveNow, past));
  void fillArchive(past);
  void fill(mine, DiscussionFilter.MINE, "You have not created a discussion yet.");
  void fill(liveNow, DiscussionFilter.LIVE, "Nothing is live right now.");

  // Reminders (and what is live) are checked every 15 s while the dashboard is open: a reminder that went live
  // since is announced at the top.
  let seenLive: Set<string> | undefined;
  async function checkReminders(): Promise<void> {
    if (seenLive) void fill(liveNow, DiscussionFilter.LIVE, "Nothing is live right now.");
    const found = await fill(reminders, DiscussionFilter.REMINDERS, "“Remind me” on a scheduled discussion's page puts it here; it is flagged when it starts.", reminderItem);
    if (!found) return;
    const live = found.filter((d) => d.state === DiscussionState.LIVE);
    const fresh = seenLive ? live.filter((d) => !seenLive!.has(d.discussionId)) : [];
    seenLive = new Set(live.map((d) => d.discussionId));
    if (fresh.length === 0) return;
    show(started, h("bdi", { dir: "auto" }, fresh[0].title), fresh.length > 1 ? ` and ${fresh.length - 1} more have` : " has", " started. ",
      h("a", { href: `/d/${fresh[0].discussionId}` }, "Join now"));
    started.hidden = false;
  }
  void checkReminders();
  const poll = setInterval(() => void checkReminders(), reminderPoll);
  return () => clearInterval(poll);
}

async function fill(section: HTMLElement, filter: DiscussionFilter, empty: string, render = item): Promise<Discussion[] | undefined> {
  const heading = section.firstElementChild!;
  try {
    const { discussions: found } = await discussions.listDiscussions({ filter, page: { pageSize: 20 } });
    show(section, heading, found.length === 0 ? h("p", {}, empty) : h("ul", { class: "list" }, ...found.map(render)));
    return found;
  } catch (error) {
    show(section, heading, h("p", { class: "alert" }, describe(error)));
    return undefined;
  }
}

// A reminder that came due says so and leads in; one still waiting says when.
function reminderItem(d: Discussion): HTMLLIElement {
  return d.state === DiscussionState.LIVE
    ? h("li", { class: "due" }, h("a", { href: `/d/${d.discussionId}` }, d.title), " ", h("span", { class: "badge live" }, "live now"), " ",
        h("a", { href: `/d/${d.discussionId}`, class: "button primary" }, "Join"))
    : item(d);
}

async function fillArchive(section: HTMLElement): Promise<void> {
  const heading = section.firstElementChild!;
  try {
    const { discussions: found } = await archive.listArchivedDiscussions({ page: { pageSize: 20 } });
    show(section, heading, found.length === 0 ? h("p", {}, "Discussions you were in stay here for 7 days after they end.")
      : h("ul", { class: "list" }, ...found.map((d) => h("li", {}, h("a", { href: `/replay/${d.discussionId}` }, d.title), " ", h("span", { class: "badge" }, "replay")))));
  } catch (error) {
    show(section, heading, h("p", { class: "alert" }, describe(error)));
  }
}

function item(d: Discussion): HTMLLIElement {
  const state = d.state === DiscussionState.LIVE ? "live" : d.state === DiscussionState.ENDED ? "ended" : "not started";
  return h("li", {}, h("a", { href: `/d/${d.discussionId}` }, d.title), " ", h("span", { class: `badge ${state.replace(" ", "-")}` }, state),
    d.state === DiscussionState.LIVE ? h("span", { class: "muted" }, ` · ${listeners(d)} listening`)
      : d.state === DiscussionState.SCHEDULED && d.scheduledStartAt ? h("span", { class: "muted" }, ` · ${startsAt(timestampDate(d.scheduledStartAt))}`) : null);
}

// Everyone present but the host, who is counted among the people present while in the room.
function listeners(d: Discussion): number {
  return Math.max(0, d.attendeeCount - 1);
}
