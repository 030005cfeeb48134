import { Code, ConnectError, describe, media } from "./api";
import { h, show } from "./dom";

type LiveKit = typeof import("livekit-client");
type Room = import("livekit-client").Room;

/**
 * The room's voice panel. It asks the Media service for a voice token (which also says whether voice is
 * set up at all), then joins LiveKit with livekit-client — loaded only when someone joins, so the room
 * itself stays small. Speakers get a microphone switch; everyone sees who is speaking. When the host
 * promotes or demotes someone, LiveKit changes their rights and the panel follows: promoted people start
 * with their microphone on, demoted ones stop publishing.
 */
export function voicePanel(discussionId: string): { element: HTMLElement; refresh: (live: boolean) => void; leave: () => void } {
  const status = h("p", { class: "muted", role: "status" }, "Checking voice…");
  const controls = h("div", { class: "voice-controls" });
  const speaking = h("p", { class: "speaking", "aria-live": "polite" });
  const element = h("section", { class: "voice card", "aria-label": "Voice" }, h("h2", {}, "Voice"), status, controls, speaking);
  let room: Room | undefined;
  let checked = false;

  const say = (text: string) => { status.textContent = text; };

  async function check(): Promise<void> {
    try {
      // A token now tells us voice works here; a fresh one is fetched again when joining.
      await media.joinVoice({ discussionId });
      say("Listen to the speakers, or speak when the host invites you.");
      show(controls, h("button", { type: "button", class: "primary", onclick: () => void join() }, "Join voice"));
    } catch (error) {
      const e = ConnectError.from(error);
      say(e.code === Code.FailedPrecondition && /not set up/.test(e.rawMessage) ? "Voice is unavailable on this server; comments and hands work as usual." : describe(error));
      show(controls);
    }
  }

  async function join(): Promise<void> {
    show(controls);
    say("Connecting to voice…");
    try {
      const grant = await media.joinVoice({ discussionId });
      const livekit: LiveKit = await import("livekit-client");
      const joined = new livekit.Room({ adaptiveStream: true, dynacast: true });
      joined.on(livekit.RoomEvent.ActiveSpeakersChanged, (speakers) => {
        speaking.textContent = speakers.length ? `Speaking: ${speakers.map((p) => p.name || p.identity).join(", ")}` : "";
      });
      joined.on(livekit.RoomEvent.ParticipantPermissionsChanged, (_, participant) => {
        if (participant.isLocal) void permissionsChanged(joined);
      });
      joined.on(livekit.RoomEvent.Disconnected, () => {
        room = undefined;
        speaking.textContent = "";
        say("You left voice.");
        show(controls, h("button", { type: "button", onclick: () => void join() }, "Join voice again"));
      });
      await joined.connect(grant.serverUrl, grant.token);
      await joined.startAudio();
      room = joined;
      await permissionsChanged(joined, grant.canSpeak);
    } catch (error) {
      say(error instanceof ConnectError ? describe(error) : "Could not connect to the voice server; try again in a moment.");
      show(controls, h("button", { type: "button", onclick: () => void join() }, "Try again"));
    }
  }

  async function permissionsChanged(joined: Room, canSpeakNow?: boolean): Promise<void> {
    const canSpeak = canSpeakNow ?? joined.localParticipant.permissions?.canPublish ?? false;
    const leave = h("button", { type: "button", onclick: () => void joined.disconnect() }, "Leave voice");
    if (!canSpeak) {
      say("You are listening.");
      show(controls, leave);
      return;
    }
    const mic = h("button", { type: "button", class: "primary", "aria-pressed": "false" });
    const setMic = async (on: boolean) => {
      try {
        await joined.localParticipant.setMicrophoneEnabled(on);
        mic.textContent = on ? "Mute" : "Unmute";
        mic.setAttribute("aria-pressed", String(!on));
        say(on ? "You are speaking." : "Your microphone is off.");
      } catch (error) {
        say(microphoneProblem(error));
        mic.textContent = "Unmute";
      }
    };
    mic.addEventListener("click", () => void setMic(!joined.localParticipant.isMicrophoneEnabled));
    show(controls, mic, leave);
    await setMic(canSpeakNow === undefined); // promoted while connected: start speaking; on joining: start muted
  }

  return {
    element,
    refresh(live: boolean) {
      if (!live) {
        void room?.disconnect();
        say("Voice opens when the discussion is live.");
        show(controls);
        checked = false;
      } else if (!checked) {
        checked = true;
        void check();
      }
    },
    leave() {
      void room?.disconnect();
    },
  };
}

function microphoneProblem(error: unknown): string {
  const name = error instanceof DOMException ? error.name : (error as { name?: string })?.name;
  switch (name) {
    case "NotAllowedError":
      return "Your browser blocked the microphone. Allow it for this site to speak.";
    case "NotFoundError":
      return "No microphone was found. Connect one to speak.";
    case "NotReadableError":
      return "Another app is using your microphone.";
    default:
      return "Your microphone could not be turned on.";
  }
}
