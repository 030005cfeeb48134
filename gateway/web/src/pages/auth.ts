import { currentSession, identity, startSession } from "../api";
import { alertBox, field, h, show } from "../dom";
import { submitting } from "../forms";
import { navigate } from "../router";

/** Sign in or sign up; afterwards, back to where the person was going. */
export function authPage(app: HTMLElement, mode: "signin" | "signup", next = "/"): void {
  if (currentSession() && !currentSession()!.user.guest) return navigate(next);
  const email = h("input", { type: "email", name: "email", autocomplete: "email", required: true });
  const password = h("input", { type: "password", name: "password", autocomplete: mode === "signup" ? "new-password" : "current-password", required: true, minLength: mode === "signup" ? 10 : 1 });
  const name = h("input", { type: "text", name: "display_name", autocomplete: "nickname", required: true, maxLength: 60 });
  const problem = alertBox();
  const submit = h("button", { type: "submit", class: "primary" }, mode === "signup" ? "Create account" : "Sign in");
  const form = h("form", {
    class: "card narrow",
    onsubmit: submitting(submit, problem, async () => {
      const response = mode === "signup"
        ? await identity.signUp({ email: email.value, password: password.value, displayName: name.value })
        : await identity.signIn({ email: email.value, password: password.value });
      startSession(response.user, response.tokens);
      navigate(next);
    }),
  },
    h("h1", {}, mode === "signup" ? "Create your account" : "Sign in"),
    mode === "signup" && field("Your name, as others see it", name),
    field("Email", email),
    field(mode === "signup" ? "Password (at least 10 characters)" : "Password", password),
    problem,
    submit,
    mode === "signup"
      ? h("p", {}, "Already have an account? ", h("a", { href: `/signin?next=${encodeURIComponent(next)}` }, "Sign in"))
      : h("p", {}, "New here? ", h("a", { href: `/signup?next=${encodeURIComponent(next)}` }, "Create an account")));
  show(app, form);
  (mode === "signup" ? name : email).focus();
}
