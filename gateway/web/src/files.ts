import { attachments, describe, freshAccessToken } from "./api";
import type { Attachment } from "./gen/iwouldargue/v1/events_pb";
import { h, saveFile } from "./dom";

/**
 * The room's shared files: images as thumbnails, documents as name and size, each downloadable; speakers
 * may share (with upload progress). Files are fetched with the access token in the Authorization header
 * (never in the URL), so images are shown from blob: URLs.
 */
export function filesPanel(discussionId: string): {
  element: HTMLElement;
  load: () => Promise<void>;
  added: (a: Attachment) => void;
  removed: (id: string) => void;
  setCanShare: (can: boolean) => void;
  dispose: () => void;
} {
  const list = h("ul", { class: "files", "aria-label": "Shared files" });
  const input = h("input", { type: "file", "aria-label": "Choose a file to share", accept: "image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain,text/markdown,.md,.docx,.xlsx,.pptx" });
  const progress = h("progress", { max: 100, value: 0, hidden: true, "aria-label": "Upload progress" });
  const problem = h("p", { class: "alert", role: "alert", hidden: true });
  const share = h("div", { class: "share", hidden: true }, input, progress, problem);
  const element = h("section", { class: "card", "aria-label": "Files" }, h("h2", {}, "Files"), list, share);
  const items = new Map<string, HTMLLIElement>();
  const urls: string[] = [];

  input.addEventListener("change", () => {
    const file = input.files?.[0];
    if (file) void upload(file);
  });

  async function upload(file: File): Promise<void> {
    problem.hidden = true;
    progress.hidden = false;
    progress.value = 0;
    input.disabled = true;
    try {
      const token = await freshAccessToken();
      await new Promise<void>((resolve, reject) => {
        const xhr = new XMLHttpRequest();
        xhr.open("POST", `/attachments/${encodeURIComponent(discussionId)}?name=${encodeURIComponent(file.name)}`);
        if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
        xhr.upload.onprogress = (e) => { if (e.lengthComputable) progress.value = Math.round((e.loaded / e.total) * 100); };
        xhr.onload = () => xhr.status === 201 ? resolve() : reject(new Error(errorOf(xhr)));
        xhr.onerror = () => reject(new Error("The upload failed; check your connection and try again."));
        xhr.send(file);
      });
      input.value = "";
    } catch (error) {
      problem.textContent = error instanceof Error ? error.message : describe(error);
      problem.hidden = false;
    } finally {
      progress.hidden = true;
      input.disabled = false;
    }
  }

  function added(a: Attachment): void {
    if (items.has(a.attachmentId)) return;
    const size = formatSize(Number(a.sizeBytes));
    const download = h("button", { type: "button", class: "link", onclick: () => void save(a) }, "Download");
    const item = a.mediaType.startsWith("image/")
      ? h("li", { class: "file" }, thumbnail(a), h("span", { class: "name" }, a.fileName), h("span", { class: "muted" }, size), download)
      : h("li", { class: "file" }, h("span", { class: "icon", "aria-hidden": "true" }, kindOf(a)), h("span", { class: "name" }, a.fileName), h("span", { class: "muted" }, size), download);
    items.set(a.attachmentId, item);
    list.append(item);
  }

  function thumbnail(a: Attachment): HTMLImageElement {
    const img = h("img", { class: "thumb", alt: a.fileName, width: 64, height: 64 });
    void fetchBlob(a).then((blob) => { const url = URL.createObjectURL(blob); urls.push(url); img.src = url; }, () => undefined);
    return img;
  }

  async function save(a: Attachment): Promise<void> {
    try {
      saveFile(await fetchBlob(a), a.fileName);
    } catch (error) {
      problem.textContent = error instanceof Error ? error.message : describe(error);
      problem.hidden = false;
    }
  }

  async function fetchBlob(a: Attachment): Promise<Blob> {
    const token = await freshAccessToken();
    const response = await fetch(a.downloadPath, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
    if (!response.ok) throw new Error("The file could not be downloaded.");
    return response.blob();
  }

  return {
    element,
    async load() {
      try {
        const { attachments: found } = await attachments.listAttachments({ discussionId, page: { pageSize: 200 } });
        items.clear();
        list.replaceChildren();
        found.forEach(added);
      } catch {
        // The list comes back with the next snapshot.
      }
    },
    added,
    removed(id) {
      items.get(id)?.remove();
      items.delete(id);
    },
    setCanShare(can) {
      share.hidden = !can;
    },
    dispose() {
      urls.forEach((u) => URL.revokeObjectURL(u));
    },
  };
}

function errorOf(xhr: XMLHttpRequest): string {
  try {
    return (JSON.parse(xhr.responseText) as { error?: string }).error ?? "The upload was refused.";
  } catch {
    return xhr.status === 413 ? "The file is too large." : "The upload was refused.";
  }
}

// A short label for a document's kind, shown where images show a thumbnail.
function kindOf(a: Attachment): string {
  const extension = a.fileName.includes(".") ? a.fileName.split(".").pop()!.toUpperCase() : "";
  return extension.length > 0 && extension.length <= 4 ? extension : "FILE";
}

function formatSize(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(0)} KB` : `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
