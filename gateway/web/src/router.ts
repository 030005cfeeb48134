// Client-side routes over the History API; the gateway answers every app path with index.html.

type Page = (app: HTMLElement, params: Record<string, string>, query: URLSearchParams) => void | (() => void);

const routes: Array<[RegExp, Page]> = [];
let leave: (() => void) | void;

export function route(pattern: string, page: Page): void {
  const regex = new RegExp("^" + pattern.replace(/:([a-z]+)/g, "(?<$1>[^/]+)") + "/?$");
  routes.push([regex, page]);
}

export function navigate(path: string, replace = false): void {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  render();
}

export function render(): void {
  leave?.();
  leave = undefined;
  const app = document.getElementById("app")!;
  const url = new URL(location.href);
  for (const [regex, page] of routes) {
    const match = regex.exec(url.pathname);
    if (match) {
      leave = page(app, match.groups ?? {}, url.searchParams);
      app.focus({ preventScroll: true });
      return;
    }
  }
  app.replaceChildren("This page does not exist.");
}

window.addEventListener("popstate", render);
// Same-origin links to the app's pages navigate inside the app. A download (a blob: link, whose origin is
// ours too) or any other scheme is left to the browser.
document.addEventListener("click", (e) => {
  const link = (e.target as Element).closest?.("a");
  if (!link || link.origin !== location.origin || !/^https?:$/.test(link.protocol) || link.hasAttribute("download")
    || link.target || e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
  e.preventDefault();
  navigate(link.pathname + link.search);
});
