import { describe, discussions } from "./api";
import { DiscussionFilter } from "./gen/iwouldargue/v1/discussions_pb";
import { alertBox, h, say } from "./dom";

/**
 * "Remind me" on a scheduled discussion's page: once asked, the discussion waits on the person's dashboard and
 * is flagged there when it starts. Whether it is set is read once, from the person's reminders.
 */
export function reminderToggle(discussionId: string): { element: HTMLElement; refresh(offered: boolean): void } {
  let set: boolean | undefined;
  let loading = false;
  const problem = alertBox();
  const button = h("button", { type: "button", "aria-pressed": "false", onclick: () => void toggle() }, "Remind me when it starts");
  const element = h("div", { class: "reminder", hidden: true }, button, problem);

  function draw(): void {
    button.setAttribute("aria-pressed", String(set === true));
    button.textContent = set ? "Reminder set ✓ (tap to cancel)" : "Remind me when it starts";
    button.classList.toggle("primary", !set);
  }

  async function load(): Promise<void> {
    loading = true;
    try {
      const { discussions: waiting } = await discussions.listDiscussions({ filter: DiscussionFilter.REMINDERS, page: { pageSize: 100 } });
      set = waiting.some((d) => d.discussionId === discussionId);
      draw();
    } catch (error) {
      say(problem, describe(error));
    } finally {
      loading = false;
    }
  }

  async function toggle(): Promise<void> {
    say(problem, null);
    button.disabled = true;
    try {
      await discussions.setReminder({ discussionId, remind: !set });
      set = !set;
      draw();
    } catch (error) {
      say(problem, describe(error));
    } finally {
      button.disabled = false;
    }
  }

  return {
    element,
    refresh(offered: boolean): void {
      element.hidden = !offered;
      if (offered && set === undefined && !loading) void load();
    },
  };
}
