import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { BinaryReader } from "@bufbuild/protobuf/wire";
import { DiscussionsService } from "./gen/iwouldargue/v1/discussions_pb";
import { IdentityService, type TokenPair } from "./gen/iwouldargue/v1/identity_pb";
import { LiveService } from "./gen/iwouldargue/v1/live_pb";
import { MediaService } from "./gen/iwouldargue/v1/media_pb";
import { AttachmentsService } from "./gen/iwouldargue/v1/attachments_pb";
import { ArchiveService } from "./gen/iwouldargue/v1/archive_pb";
import type { UserRef } from "./gen/iwouldargue/v1/common_pb";

/** Who is signed in on this browser: an account, or a guest pass for one discussion. */
export interface Session {
  user: { userId: string; displayName: string; guest: boolean; avatarUrl?: string };
  accessToken: string;
  accessExpiresAt: number;
  refreshToken: string;
  /** For guests: the one discussion the pass is good for. */
  discussionId?: string;
}

const storageKey = "iwouldargue.session";
const listeners = new Set<() => void>();

export function currentSession(): Session | null {
  const raw = localStorage.getItem(storageKey);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as Session;
  } catch {
    return null;
  }
}

export function onSessionChange(listener: () => void): void {
  listeners.add(listener);
}

function saveSession(session: Session | null): void {
  if (session) localStorage.setItem(storageKey, JSON.stringify(session));
  else localStorage.removeItem(storageKey);
  listeners.forEach((l) => l());
}

// Another tab signing in or out changes this one too.
window.addEventListener("storage", (e) => {
  if (e.key === storageKey) listeners.forEach((l) => l());
});

export function startSession(user: UserRef | undefined, tokens: TokenPair | undefined, discussionId?: string): Session {
  if (!user || !tokens) throw new Error("The server answered without a session.");
  const session: Session = {
    user: { userId: user.userId, displayName: user.displayName, guest: user.guest, avatarUrl: user.avatarUrl },
    accessToken: tokens.accessToken,
    accessExpiresAt: ms(tokens.accessTokenExpiresAt),
    refreshToken: tokens.refreshToken,
    discussionId,
  };
  saveSession(session);
  return session;
}

/** After UpdateProfile: who the session is now, and the access token that says so (the refresh token stays). */
export function updateSession(user: UserRef | undefined, accessToken: string, expiresAt: Timestamp | undefined): void {
  const session = currentSession();
  if (!session || !user) return;
  saveSession({ ...session, user: { ...session.user, displayName: user.displayName, avatarUrl: user.avatarUrl }, accessToken, accessExpiresAt: ms(expiresAt) });
}

export async function signOut(): Promise<void> {
  const session = currentSession();
  saveSession(null);
  if (session?.refreshToken) {
    await anonymousIdentity.signOut({ refreshToken: session.refreshToken }).catch(() => undefined);
  }
}

function ms(timestamp: Timestamp | undefined): number {
  return timestamp ? timestampMs(timestamp) : 0;
}

/**
 * An access token good for at least another minute. Refreshing rotates the refresh token, and using an
 * old one again signs the account out everywhere, so tabs take turns (a Web Lock) and a tab that finds
 * the token already refreshed by another simply uses the new one.
 */
export async function freshAccessToken(): Promise<string | undefined> {
  const fresh = (s: Session | null) => s && (s.user.guest || s.accessExpiresAt - Date.now() > 60_000);
  const session = currentSession();
  if (!session) return undefined;
  if (fresh(session)) return session.accessToken;
  const refresh = async () => {
    const latest = currentSession();
    if (!latest) return undefined;
    if (fresh(latest)) return latest.accessToken;
    try {
      const { tokens } = await anonymousIdentity.refreshToken({ refreshToken: latest.refreshToken });
      const renewed = { ...latest, accessToken: tokens!.accessToken, accessExpiresAt: ms(tokens!.accessTokenExpiresAt), refreshToken: tokens!.refreshToken };
      saveSession(renewed);
      return renewed.accessToken;
    } catch (e) {
      if (ConnectError.from(e).code === Code.Unauthenticated) saveSession(null);
      throw e;
    }
  };
  return navigator.locks ? navigator.locks.request("iwouldargue.refresh", refresh) : refresh();
}

// The access token goes in the authorization header of every call, never in a URL.
const authenticate: Interceptor = (next) => async (request) => {
  const token = await freshAccessToken();
  if (token) request.header.set("authorization", `Bearer ${token}`);
  return next(request);
};

const baseUrl = window.location.origin;
const anonymousTransport = createGrpcWebTransport({ baseUrl });
const transport = createGrpcWebTransport({ baseUrl, interceptors: [authenticate] });

const anonymousIdentity = createClient(IdentityService, anonymousTransport);
export const identity = createClient(IdentityService, transport);
export const discussions = createClient(DiscussionsService, transport);
export const live = createClient(LiveService, transport);
export const media = createClient(MediaService, transport);
export const attachments = createClient(AttachmentsService, transport);
export const archive = createClient(ArchiveService, transport);

/** A sentence for a person, from any error a call can end with. */
export function describe(error: unknown): string {
  if (error instanceof DOMException && error.name === "AbortError") return "Cancelled.";
  const e = ConnectError.from(error);
  switch (e.code) {
    case Code.Unavailable:
    case Code.Unknown:
      return navigator.onLine ? "Can't reach IWouldArgue right now; try again in a moment." : "You are offline; check your connection.";
    case Code.DeadlineExceeded:
      return "The server took too long to answer; try again.";
    case Code.Internal:
      return "Something went wrong on our side; try again.";
    case Code.InvalidArgument: {
      // The server names the field first ("display_name: is required."): say it as a sentence.
      const match = /^([a-z_.]+): (.*)$/.exec(e.rawMessage);
      if (match) {
        const name = match[1].split(".").pop()!.replace(/_/g, " ");
        return `${name[0].toUpperCase()}${name.slice(1)} ${match[2]}`;
      }
      return e.rawMessage;
    }
    default:
      return e.rawMessage || "Something went wrong; try again.";
  }
}

/**
 * The stable reason the server gave for a failure (its google.rpc.ErrorInfo, e.g. "NOT_A_MEMBER"), if any.
 * Read by hand, field 1 of the detail's bytes: generating google/rpc's messages for one string would add a copy of
 * googleapis' protos to the web build.
 */
export function reasonOf(error: unknown): string | undefined {
  for (const detail of ConnectError.from(error).details) {
    if (!("type" in detail) || detail.type !== "google.rpc.ErrorInfo") continue;
    const reader = new BinaryReader(detail.value);
    while (reader.pos < reader.len) {
      const [field, wireType] = reader.tag();
      if (field === 1) return reader.string();
      reader.skip(wireType);
    }
  }
  return undefined;
}

export { Code, ConnectError };

/**
 * This browser's device key for guest joins (JoinAsGuestRequest.device_key): made once, kept for good (signing out
 * does not forget it), so the same browser is the same guest of a discussion each time, and a ban of that guest holds.
 */
export function deviceKey(): string {
  const name = "iwouldargue.device";
  let key = localStorage.getItem(name);
  if (!key || !/^[A-Za-z0-9_-]{22,128}$/.test(key)) {
    const bytes = crypto.getRandomValues(new Uint8Array(18));
    key = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_");
    localStorage.setItem(name, key);
  }
  return key;
}
