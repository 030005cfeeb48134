import { currentSession, describe, deviceKey, discussions, identity, signOut, startSession } from "../api";
import { DiscussionState } from "../gen/iwouldargue/v1/discussions_pb";
import { alertBox, field, h, show, startsAt } from "../dom";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { submitting } from "../forms";
import { navigate } from "../router";

/**
 * A join link. Signed-in people join with their account at once; everyone else gives a name and
 * joins as a guest of this one discussion (or signs in first).
 */
export function joinPage(app: HTMLElement, code: string): void {
  const session = currentSession();
  if (session && !session.user.guest) {
    show(app, h("p", { class: "card narrow" }, "Joining…"));
    void joinWithSession(app, code);
    return;
  }
  const heading = h("h1", {}, "Join the discussion");
  const about = h("p", { class: "muted" });
  void discussions.previewInvite({ inviteCode: code }).then(
    (preview) => {
      if (preview.state === DiscussionState.ENDED) {
        // Nothing to join: say so at once, rather than offer a form the server will refuse.
        show(app, ended(preview.title, preview.discussionId, false));
        return;
      }
      heading.textContent = `Join “${preview.title}”`;
      about.textContent = `Hosted by ${preview.host?.displayName ?? "someone"}${preview.state === DiscussionState.LIVE ? " · live now" : preview.scheduledStartAt ? ` · starts ${startsAt(timestampDate(preview.scheduledStartAt))}` : " · not started yet"}${preview.guestsMayComment ? "" : " · guests listen without commenting"}`;
    },
    () => undefined); // joining says what is wrong with the link
  const name = h("input", { type: "text", name: "display_name", autocomplete: "nickname", required: true, maxLength: 60 });
  const problem = alertBox();
  const submit = h("button", { type: "submit", class: "primary" }, "Join as guest");
  show(app, h("form", {
    class: "card narrow",
    onsubmit: submitting(submit, problem, async () => {
      if (session?.user.guest) await signOut();
      const pass = await identity.joinAsGuest({ inviteCode: code, displayName: name.value, deviceKey: deviceKey() });
      startSession(pass.user, pass.tokens, pass.discussionId);
      await joinWithSession(app, code);
    }),
  },
    heading,
    about,
    field("Your name, as others will see it", name),
    problem,
    submit,
    h("p", {}, "Have an account? ", h("a", { href: `/signin?next=${encodeURIComponent(`/join/${code}`)}` }, "Sign in"), " first.")));
  name.focus();
}

/** An ended discussion's join link: its replay for people who were in it (kept 7 days). */
function ended(title: string, discussionId: string, signedIn: boolean): HTMLElement {
  return h("section", { class: "card narrow" },
    h("h1", {}, `“${title}” has ended`),
    h("p", {}, "Its replay is kept for 7 days for the people who were in it."),
    signedIn ? h("a", { href: `/replay/${discussionId}`, class: "replay-link" }, "Watch the replay")
      : h("p", {}, "Were you there? ", h("a", { href: `/signin?next=${encodeURIComponent(`/replay/${discussionId}`)}` }, "Sign in"), " to watch the replay."));
}

async function joinWithSession(app: HTMLElement, code: string): Promise<void> {
  try {
    const { discussion } = await discussions.joinDiscussion({ inviteCode: code });
    navigate(`/d/${discussion!.discussionId}`, true);
  } catch (error) {
    const preview = await discussions.previewInvite({ inviteCode: code }).catch(() => null);
    if (preview?.state === DiscussionState.ENDED) {
      show(app, ended(preview.title, preview.discussionId, true));
      return;
    }
    show(app, h("section", { class: "card narrow" }, h("h1", {}, "Could not join"), h("p", { class: "alert", role: "alert" }, describe(error)), h("a", { href: "/" }, "Home")));
  }
}
