// Watches a discussion with @grpc/grpc-js, takes the first frame, then stops reading for a while (the HTTP/2
// flow-control window fills up, as with a frozen tab or a phone in a tunnel), then reads again until the call ends.
// Prints one JSON line: {"frames", "code", "details"} (code 0 when the stream ended OK).
// Usage: node stalled-watch.mjs 127.0.0.1:PORT USER_ID DISCUSSION_ID PAUSE_MS
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

const [address, userId, discussionId, pauseMs] = process.argv.slice(2);
const protos = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../protos');
const definition = protoLoader.loadSync('iwouldargue/v1/live.proto', { includeDirs: [protos], keepCase: true, longs: Number, defaults: true });
const Live = grpc.loadPackageDefinition(definition).iwouldargue.v1.LiveService;
const client = new Live(address, grpc.credentials.createInsecure());

const metadata = new grpc.Metadata();
metadata.set('iwouldargue-user-id', userId);
const call = client.Watch({ discussion_id: discussionId }, metadata);
let frames = 0;
call.on('data', () => {
  frames += 1;
  if (frames === 1) {
    call.pause();
    console.log(JSON.stringify({ paused: true }));
    setTimeout(() => call.resume(), Number(pauseMs));
  }
});
call.on('error', (error) => {
  console.log(JSON.stringify({ frames, code: error.code, details: error.details }));
  process.exit(0);
});
call.on('end', () => {
  console.log(JSON.stringify({ frames, code: 0, details: '' }));
  process.exit(0);
});
