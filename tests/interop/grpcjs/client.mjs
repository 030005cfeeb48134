// Calls our server with @grpc/grpc-js and prints one JSON line per case: {"case", "ok", "detail"}.
// Usage: node client.mjs 127.0.0.1:PORT
import { grpc, loadDiagnostics } from './diagnostics.mjs';

const Diagnostics = loadDiagnostics();
const client = new Diagnostics(process.argv[2], grpc.credentials.createInsecure());
const MB = 1024 * 1024;

const report = (name, ok, detail = '') => console.log(JSON.stringify({ case: name, ok, detail: String(detail) }));

function unary(request, { metadata = new grpc.Metadata(), deadlineMs } = {}) {
  return new Promise((resolve) => {
    // grpc-js emits 'status' right after the callback, before the awaiting code resumes.
    const result = {};
    const options = deadlineMs ? { deadline: Date.now() + deadlineMs } : {};
    const call = client.Echo(request, metadata, options, (error, response) => resolve(Object.assign(result, { error, response })));
    call.on('metadata', (m) => { result.headers = m; });
    call.on('status', (s) => { result.trailers = s.metadata; });
  });
}

const cases = {
  async unary() {
    const { error, response } = await unary({ message: 'hello from grpc-js' });
    return [!error && response.message === 'hello from grpc-js', error?.message ?? response.message];
  },
  async server_streaming() {
    const seen = [];
    await new Promise((resolve, reject) => {
      const call = client.EchoStream({ message: 's', repeat: 5 });
      call.on('data', (m) => seen.push(m.index));
      call.on('error', reject);
      call.on('end', resolve);
    });
    return [seen.join(',') === '1,2,3,4,5', seen.join(',')];
  },
  async client_streaming() {
    const response = await new Promise((resolve, reject) => {
      const call = client.EchoCollect((error, r) => (error ? reject(error) : resolve(r)));
      for (let i = 0; i < 10; i++) call.write({ message: `m${i}` });
      call.end();
    });
    return [response.messages.join(',') === 'm0,m1,m2,m3,m4,m5,m6,m7,m8,m9', response.messages.join(',')];
  },
  async bidi_streaming() {
    const call = client.EchoChat();
    const answers = [];
    for (let i = 1; i <= 3; i++) {
      const answer = new Promise((resolve) => call.once('data', resolve));
      call.write({ message: `ping ${i}` });
      answers.push((await answer).message);
    }
    call.end();
    await new Promise((resolve) => { call.on('end', resolve); call.resume(); });
    return [answers.join('|') === 'ping 1|ping 2|ping 3', answers.join('|')];
  },
  async deadline_exceeded() {
    const { error } = await unary({ message: 'late', delay_ms: 5000 }, { deadlineMs: 200 });
    return [error?.code === grpc.status.DEADLINE_EXCEEDED, error ? `${error.code} ${error.details}` : 'no error'];
  },
  async error_with_trailers() {
    const metadata = new grpc.Metadata();
    metadata.set('echo-reason', 'interop');
    const text = 'Discussion ended: 100% over ☕';
    const { error } = await unary({ fail_with_code: grpc.status.FAILED_PRECONDITION, fail_with_message: text }, { metadata });
    const ok = error?.code === grpc.status.FAILED_PRECONDITION && error.details === text && error.metadata.get('echo-reason')[0] === 'interop';
    return [ok, error ? `${error.code} ${error.details} ${JSON.stringify(error.metadata.getMap())}` : 'no error'];
  },
  async binary_metadata() {
    const blob = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const metadata = new grpc.Metadata();
    metadata.set('echo-blob-bin', blob);
    const { error, headers, trailers } = await unary({ message: 'x' }, { metadata });
    const inHeaders = headers?.get('echo-blob-bin')[0] ?? Buffer.alloc(0);
    const inTrailers = trailers?.get('echo-blob-bin')[0] ?? Buffer.alloc(0);
    const ok = !error && Buffer.compare(inHeaders, blob) === 0 && Buffer.compare(inTrailers, blob) === 0;
    return [ok, error?.message ?? `headers ${inHeaders.length} bytes, trailers ${inTrailers.length} bytes`];
  },
  async message_3_9_mb_accepted() {
    const { error, response } = await unary({ payload: Buffer.alloc(Math.floor(3.9 * MB)) });
    return [!error && response.payload.length === Math.floor(3.9 * MB), error?.message ?? response.payload.length];
  },
  async message_4_1_mb_refused() {
    const { error } = await unary({ payload: Buffer.alloc(Math.floor(4.1 * MB)) });
    return [error?.code === grpc.status.RESOURCE_EXHAUSTED, error ? `${error.code} ${error.details}` : 'accepted'];
  },
};

for (const [name, run] of Object.entries(cases)) {
  try {
    const [ok, detail] = await run();
    report(name, ok, detail);
  } catch (error) {
    report(name, false, error?.stack ?? error);
  }
}
client.close();
