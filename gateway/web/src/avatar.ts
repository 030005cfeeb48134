import { freshAccessToken } from "./api";
import { h } from "./dom";

/** Only our own picture paths are shown (a picture from elsewhere could track who looks at it). */
const ourPicture = /^\/attachments\/avatars\/[0-9a-f]{64}$/;

/** Pictures are made this many pixels square before upload: crisp at 2x on the stage, a few dozen KB. */
const side = 256;

/**
 * A person's picture, or their initial in a circle when they have none. Decorative: the name is always beside it,
 * so it says nothing to a screen reader.
 */
export function avatar(user: { displayName: string; avatarUrl?: string } | undefined, size: "small" | "large" = "small"): HTMLElement {
  const url = user?.avatarUrl ?? "";
  if (ourPicture.test(url)) {
    return h("img", { class: `avatar ${size}`, src: url, alt: "", loading: "lazy", decoding: "async" });
  }
  const initial = [...(user?.displayName ?? "?").trim()][0] ?? "?";
  return h("span", { class: `avatar ${size} initial`, "aria-hidden": "true" }, initial.toLocaleUpperCase());
}

/**
 * A picture as people expect a profile photo: the middle square of what they chose, made `side` pixels square as
 * a PNG in the browser, so a 12-megapixel phone photo uploads as a few dozen KB (the server takes at most 1 MiB).
 */
export async function squarePicture(file: Blob): Promise<Blob> {
  const image = await createImageBitmap(file);
  const crop = Math.min(image.width, image.height);
  const canvas = h("canvas", { width: side, height: side });
  const context = canvas.getContext("2d")!;
  context.imageSmoothingQuality = "high";
  context.drawImage(image, (image.width - crop) / 2, (image.height - crop) / 2, crop, crop, 0, 0, side, side);
  image.close();
  return new Promise((resolve, reject) => canvas.toBlob((blob) => blob ? resolve(blob) : reject(new Error("The picture could not be made.")), "image/png"));
}

/** Uploads a picture for the caller's profile (POST /attachments/avatars); where it is served. */
export async function uploadPicture(picture: Blob): Promise<string> {
  const token = await freshAccessToken();
  const response = await fetch("/attachments/avatars", { method: "POST", body: picture, headers: token ? { Authorization: `Bearer ${token}` } : {} });
  // Refusals are {"error": "<a sentence>"}, as for shared files.
  const body = await response.json().catch(() => ({})) as { avatarUrl?: string; error?: string };
  if (!response.ok || !body.avatarUrl) throw new Error(body.error ?? `The picture could not be uploaded (${response.status}).`);
  return body.avatarUrl;
}
