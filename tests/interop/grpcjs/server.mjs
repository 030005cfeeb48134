// An independent DiagnosticsService in @grpc/grpc-js, for our C# client to call.
// Prints "PORT <n>" once listening, and "CANCELLED <method>" whenever a call is cancelled or runs out of time.
import { grpc, loadDiagnostics } from './diagnostics.mjs';

const Diagnostics = loadDiagnostics();
const server = new grpc.Server({ 'grpc.max_receive_message_length': 4 * 1024 * 1024 });

function echoed(metadata) {
  const out = new grpc.Metadata();
  for (const [key, values] of Object.entries(metadata.getMap())) {
    if (key.startsWith('echo-')) out.set(key, values);
  }
  return out;
}

function watch(call, method) {
  call.on('cancelled', () => console.log(`CANCELLED ${method}`));
}

server.addService(Diagnostics.service, {
  Echo(call, callback) {
    watch(call, 'Echo');
    const metadata = echoed(call.metadata);
    call.sendMetadata(metadata);
    const answer = () => {
      if (call.cancelled) return;
      const r = call.request;
      if (r.fail_with_code) {
        callback({ code: r.fail_with_code, details: r.fail_with_message, metadata: echoed(call.metadata) });
      } else {
        callback(null, { message: r.message, payload: r.payload }, echoed(call.metadata));
      }
    };
    if (call.request.delay_ms) setTimeout(answer, call.request.delay_ms);
    else answer();
  },
  EchoStream(call) {
    watch(call, 'EchoStream');
    const { message, repeat, interval_ms } = call.request;
    let index = 0;
    // Writes as fast as the stream accepts (waiting for 'drain' when its buffer is full), or paced by interval_ms.
    const next = () => {
      while (!call.cancelled && index < repeat) {
        index += 1;
        const now = Date.now();
        const more = call.write({ message, index, sent_at: { seconds: Math.floor(now / 1000), nanos: (now % 1000) * 1e6 } });
        if (interval_ms && index < repeat) return setTimeout(next, interval_ms);
        if (!more) return call.once('drain', next);
      }
      if (!call.cancelled) call.end();
    };
    next();
  },
  EchoCollect(call, callback) {
    watch(call, 'EchoCollect');
    const messages = [];
    call.on('data', (m) => messages.push(m.message));
    call.on('end', () => callback(null, { messages }));
  },
  EchoChat(call) {
    watch(call, 'EchoChat');
    let index = 0;
    call.on('data', (m) => call.write({ message: m.message, index: ++index }));
    call.on('end', () => call.end());
  },
});

server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) {
    console.error(error);
    process.exit(1);
  }
  console.log(`PORT ${port}`);
});
