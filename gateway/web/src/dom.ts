// A tiny element builder: h("button", { onclick }, "Text") instead of innerHTML, so nothing a user
// typed is ever parsed as HTML.

type Child = Node | string | null | undefined | false;
type Attributes = Record<string, unknown>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value as EventListener);
    } else if (name === "class") {
      element.className = String(value);
    } else if (name in element && typeof value !== "string") {
      (element as unknown as Record<string, unknown>)[name] = value;
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  element.append(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false));
  return element;
}

/** Replaces the children of `parent`. */
export function show(parent: Element, ...children: Child[]): void {
  parent.replaceChildren(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false));
}

/** A form field: a visible label tied to its input. */
export function field(label: string, input: HTMLInputElement | HTMLTextAreaElement): HTMLLabelElement {
  return h("label", { class: "field" }, h("span", {}, label), input);
}

/** A message area that screen readers announce. */
export function alertBox(): HTMLParagraphElement {
  return h("p", { class: "alert", role: "alert", hidden: true });
}

export function say(box: HTMLElement, message: string | null): void {
  box.textContent = message ?? "";
  box.hidden = !message;
}

/** Hands a downloaded file to the browser to save as `name`. */
export function saveFile(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// Web addresses in what people write: http and https only (so never javascript: or data:), up to whitespace, without
// the punctuation that usually ends the sentence around them.
const webAddress = /\bhttps?:\/\/[^\s<>"]+/gi;

/**
 * Text with its web addresses as links that open in a new tab without giving it this page (rel=noopener noreferrer)
 * and without vouching for them (nofollow). Everything else stays text: nothing is parsed as HTML.
 */
export function linked(text: string): (Node | string)[] {
  const parts: (Node | string)[] = [];
  let from = 0;
  for (const match of text.matchAll(webAddress)) {
    let url = match[0];
    const trailing = /[.,;:!?)\]'’]+$/.exec(url);
    if (trailing) url = url.slice(0, -trailing[0].length);
    const at = match.index ?? 0;
    if (at > from) parts.push(text.slice(from, at));
    parts.push(h("a", { href: url, target: "_blank", rel: "noopener noreferrer nofollow" }, url));
    from = at + url.length;
  }
  if (from < text.length) parts.push(text.slice(from));
  return parts;
}

/** When something planned starts, for a person: "Tue 8 Dec, 19:30 (in 2 h 5 min)", or "any moment now" once due. */
export function startsAt(at: Date, now = new Date()): string {
  const when = at.toLocaleString(undefined, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  const minutes = Math.ceil((at.getTime() - now.getTime()) / 60_000);
  if (minutes <= 0) return `${when} (any moment now)`;
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  const left = days > 0 ? `${days} d ${hours} h` : hours > 0 ? `${hours} h ${rest} min` : `${rest} min`;
  return `${when} (in ${left})`;
}
