import { ConnectError, currentSession, describe, identity, updateSession } from "../api";
import { avatar, squarePicture, uploadPicture } from "../avatar";
import { alertBox, field, h, say, show } from "../dom";
import { navigate } from "../router";

/** One's name and picture, as others see them beside comments and on stage. */
export function profilePage(app: HTMLElement): void {
  const session = currentSession();
  if (!session) return navigate("/signin?next=/profile", true);
  if (session.user.guest) {
    show(app, h("section", { class: "card narrow" }, h("h1", {}, "Guests have no profile"),
      h("p", {}, "Your name was chosen when you joined. ", h("a", { href: "/signup?next=/profile" }, "Create an account"), " to have a name and picture of your own.")));
    return;
  }
  let pictureUrl = session.user.avatarUrl ?? "";
  let chosen: Blob | null = null;
  const preview = h("div", { class: "profile-preview" });
  const name = h("input", { type: "text", name: "display_name", autocomplete: "nickname", required: true, maxLength: 60, value: session.user.displayName });
  const file = h("input", { type: "file", name: "picture", accept: "image/png,image/jpeg,image/gif,image/webp" });
  const remove = h("button", { type: "button", class: "link", onclick: () => { chosen = null; pictureUrl = ""; file.value = ""; draw(); } }, "Remove the picture");
  const problem = alertBox();
  const saved = h("p", { class: "muted", role: "status" });
  const submit = h("button", { type: "submit", class: "primary" }, "Save");

  function draw(objectUrl?: string): void {
    show(preview, objectUrl ? h("img", { class: "avatar large", src: objectUrl, alt: "" }) : avatar({ displayName: name.value, avatarUrl: pictureUrl }, "large"),
      h("bdi", { class: "name", dir: "auto" }, name.value || "…"));
    remove.hidden = !objectUrl && !pictureUrl;
  }

  file.addEventListener("change", async () => {
    say(problem, null);
    const picked = file.files?.[0];
    if (!picked) return;
    try {
      chosen = await squarePicture(picked);
      draw(URL.createObjectURL(chosen));
    } catch {
      chosen = null;
      file.value = "";
      say(problem, "This file is not a picture this browser can open; choose a PNG, JPEG, GIF or WebP image.");
    }
  });
  name.addEventListener("input", () => draw());

  const form = h("form", {
    class: "card narrow profile",
    onsubmit: async (e: Event) => {
      e.preventDefault();
      submit.disabled = true;
      say(problem, null);
      saved.textContent = "";
      try {
        if (chosen) pictureUrl = await uploadPicture(chosen);
        chosen = null;
        const updated = await identity.updateProfile({ displayName: name.value, avatarUrl: pictureUrl });
        updateSession(updated.user, updated.accessToken, updated.accessTokenExpiresAt);
        file.value = "";
        draw();
        saved.textContent = "Saved. What you do from now on shows this name and picture.";
      } catch (error) {
        say(problem, error instanceof ConnectError || !(error instanceof Error) ? describe(error) : error.message);
      } finally {
        submit.disabled = false;
      }
    },
  },
    h("h1", {}, "Your profile"),
    preview,
    field("Your name, as others see it", name),
    field("Picture (PNG, JPEG, GIF or WebP; the middle square is kept)", file),
    remove,
    problem,
    saved,
    submit);
  draw();
  show(app, form);
}
