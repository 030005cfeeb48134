import { currentSession, onSessionChange, signOut } from "./api";
import { h, show } from "./dom";
import { authPage } from "./pages/auth";
import { dashboardPage } from "./pages/dashboard";
import { joinPage } from "./pages/join";
import { profilePage } from "./pages/profile";
import { avatar } from "./avatar";
import { replayPage } from "./pages/replay";
import { roomPage } from "./pages/room";
import { navigate, render, route } from "./router";

route("/", (app) => dashboardPage(app));
route("/signin", (app, _, query) => authPage(app, "signin", safeNext(query)));
route("/signup", (app, _, query) => authPage(app, "signup", safeNext(query)));
route("/join/:code", (app, params) => joinPage(app, params.code));
route("/d/:id", (app, params) => roomPage(app, params.id));
route("/replay/:id", (app, params) => replayPage(app, params.id));
route("/profile", (app) => profilePage(app));

// Only paths inside the app may follow a sign-in (no open redirects).
function safeNext(query: URLSearchParams): string {
  const next = query.get("next") ?? "/";
  return next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

function renderAccount(): void {
  const nav = document.getElementById("account")!;
  const session = currentSession();
  if (!session) {
    show(nav, keepingPlace("/signin", "Sign in"), " ", keepingPlace("/signup", "Sign up"));
    return;
  }
  // An account's name leads to its profile; a guest's is only said.
  show(nav, session.user.guest
    ? h("span", { class: "who" }, session.user.displayName, " (guest)")
    : h("a", { href: "/profile", class: "who", title: "Your profile" }, avatar(session.user), h("bdi", { dir: "auto" }, session.user.displayName)), " ",
    h("button", { type: "button", class: "link", onclick: async () => { await signOut(); navigate("/signin"); } }, "Sign out"));
}

// A header link to sign in or up that comes back to the page it was followed from (a join link, a replay).
function keepingPlace(path: string, label: string): HTMLAnchorElement {
  const link = h("a", { href: path }, label);
  link.addEventListener("click", () => {
    const here = location.pathname + location.search;
    link.href = ["/", "/signin", "/signup"].includes(location.pathname) ? path : `${path}?next=${encodeURIComponent(here)}`;
  });
  return link;
}

onSessionChange(renderAccount);
renderAccount();
render();
