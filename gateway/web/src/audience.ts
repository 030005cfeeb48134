import { avatar } from "./avatar";
import { describe, discussions } from "./api";
import { Role } from "./gen/iwouldargue/v1/common_pb";
import type { Attendee } from "./gen/iwouldargue/v1/discussions_pb";
import { alertBox, h, say, show } from "./dom";
import { roleName } from "./room-state";

const MaxListed = 1000; // a discussion's attendee limit: at most five pages of 200

/**
 * The moderators' view of everyone in the room, not only the stage and the raised hands: each person with what the
 * moderator may do to them (invite to speak, make co-host for the host, remove, ban). Read with ListAttendees and read
 * again shortly after people come, go or change roles.
 */
export function audiencePanel(discussionId: string, me: () => { userId: string; role: Role }): {
  element: HTMLElement;
  setVisible(visible: boolean): void;
  changed(): void;
  dispose(): void;
} {
  const list = h("ul", { class: "people", "aria-label": "Everyone here" });
  const heading = h("h2", {}, "Audience");
  const problem = alertBox();
  const element = h("section", { class: "card audience", "aria-label": "Audience", hidden: true }, heading, problem, list);
  let visible = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function load(): Promise<void> {
    const people: Attendee[] = [];
    let pageToken = "";
    try {
      do {
        const page = await discussions.listAttendees({ discussionId, page: { pageSize: 200, pageToken } });
        people.push(...page.attendees);
        pageToken = page.page?.nextPageToken ?? "";
      } while (pageToken && people.length < MaxListed);
      say(problem, null);
    } catch (error) {
      say(problem, describe(error));
      return;
    }
    heading.textContent = `Audience (${people.length})`;
    show(list, ...people.map(item));
  }

  function item(person: Attendee): HTMLLIElement {
    const self = me();
    const user = person.user!;
    const mine = user.userId === self.userId;
    const above = person.role >= self.role; // the host's role is the highest: nobody else acts on the host
    const act = (action: () => Promise<unknown>) => async () => {
      try {
        await action();
        say(problem, null);
        changed();
      } catch (error) {
        say(problem, describe(error));
      }
    };
    const target = { discussionId, userId: user.userId };
    return h("li", {},
      avatar(user), " ", h("bdi", { class: "name", dir: "auto" }, user.displayName), user.guest ? " (guest)" : "", " ",
      h("span", { class: "badge" }, roleName(person.role)),
      mine || above ? null : h("span", { class: "actions" },
        person.role === Role.ATTENDEE
          ? h("button", { type: "button", onclick: act(() => discussions.changeRole({ ...target, role: Role.PARTICIPANT })) }, "Invite to speak") : null,
        self.role === Role.HOST && person.role !== Role.CO_HOST
          ? h("button", { type: "button", onclick: act(() => discussions.changeRole({ ...target, role: Role.CO_HOST })) }, "Make co-host") : null,
        h("button", { type: "button", onclick: act(() => discussions.removeAttendee(target)) }, "Remove"),
        h("button", { type: "button", class: "danger", onclick: act(async () => {
          if (confirm(`Ban ${user.displayName}? They cannot join this discussion again unless you lift the ban.`)) await discussions.banUser(target);
        }) }, "Ban")));
  }

  /** Someone came, went or changed role: read the list again shortly (once for a burst of changes). */
  function changed(): void {
    if (!visible) return;
    clearTimeout(timer);
    timer = setTimeout(() => void load(), 300);
  }

  return {
    element,
    setVisible(show: boolean) {
      if (show === visible) return;
      visible = show;
      element.hidden = !show;
      if (show) void load();
    },
    changed,
    dispose: () => clearTimeout(timer),
  };
}
