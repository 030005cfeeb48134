// Makes the calls our Media service makes, but with livekit-server-sdk's own clients, against the given
// address (a recording stand-in of LiveKit's server API), so a test can compare our requests with LiveKit's.
// usage: node sdk-calls.mjs <address> <api key> <api secret>
import { RoomServiceClient, EgressClient, EncodedFileOutput, EncodedFileType, S3Upload, TrackSource } from "livekit-server-sdk";

const [address, apiKey, apiSecret] = process.argv.slice(2);
const rooms = new RoomServiceClient(address, apiKey, apiSecret);
const egress = new EgressClient(address, apiKey, apiSecret);
const step = async (name, call) => {
  try {
    await call();
    console.log(`ok ${name}`);
  } catch (e) {
    console.log(`failed ${name}: ${e?.message ?? e}`);
  }
};
await step("CreateRoom", () => rooms.createRoom({ name: "room-1", emptyTimeout: 300, maxParticipants: 1100, metadata: "{}" }));
await step("UpdateParticipant", () => rooms.updateParticipant("room-1", "user-1", undefined, {
  canSubscribe: true, canPublish: true, canPublishData: true, canPublishSources: [TrackSource.MICROPHONE],
}));
await step("GetParticipant", () => rooms.getParticipant("room-1", "user-1"));
await step("MutePublishedTrack", () => rooms.mutePublishedTrack("room-1", "user-1", "TR_1", true));
await step("RemoveParticipant", () => rooms.removeParticipant("room-1", "user-1"));
await step("StartRoomCompositeEgress", () => egress.startRoomCompositeEgress("room-1",
  {
    file: new EncodedFileOutput({
      fileType: EncodedFileType.OGG,
      filepath: "recordings/room-1-20260101T000000Z.ogg",
      output: {
        case: "s3",
        value: new S3Upload({
          accessKey: "AK", secret: "SK", region: "eu-west-1", endpoint: "http://127.0.0.1:9000/", bucket: "discussion-files", forcePathStyle: true,
        }),
      },
    }),
  }, { audioOnly: true }));
await step("StopEgress", () => egress.stopEgress("EG_1"));
await step("DeleteRoom", () => rooms.deleteRoom("room-1"));
