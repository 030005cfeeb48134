import { currentSession, onSessionChange, signOut } from "./api";
import { h, show } from "./dom";
import { authPage } from "./pages/auth";
import { dashboardPage } from "./pages/dashboard";
import { joinPage } from "./pages/join";
import { replayPage } from "./pages/replay";
import { roomPage } from "./pages/room";
import { navigate, render, route } from "./router";

route("/", (app) => dashboardPage(app));
route("/signin", (app, _, query) => authPage(app, "signin", safeNext(query)));
route("/signup", (app, _, query) => authPage(app, "signup", safeNext(query)));
route("/join/:code", (app, params) => joinPage(app, params.code));
route("/d/:id", (app, params) => roomPage(app, params.id));
route("/replay/:id", (app, params) => replayPage(app, params.id));

// Only paths inside the app may follow a sign-in (no open redirects).
function safeNext(query: URLSearchParams): string {
  const next = query.get("next") ?? "/";
  return next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

function renderAccount(): void {
  const nav = document.getElementById("account")!;
  const session = currentSession();
  if (!session) {
    show(nav, h("a", { href: "/signin" }, "Sign in"), " ", h("a", { href: "/signup" }, "Sign up"));
    return;
  }
  show(nav, h("span", { class: "who" }, session.user.displayName, session.user.guest ? " (guest)" : ""), " ",
    h("button", { type: "button", class: "link", onclick: async () => { await signOut(); navigate("/signin"); } }, "Sign out"));
}

onSessionChange(renderAccount);
renderAccount();
render();
