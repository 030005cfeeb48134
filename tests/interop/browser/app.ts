// Runs in Chromium: calls our server over gRPC-Web with protobuf-ts, cross-origin, and records what it saw.
import { GrpcWebFetchTransport } from '@protobuf-ts/grpcweb-transport';
import { RpcError } from '@protobuf-ts/runtime-rpc';
import { DiagnosticsServiceClient } from '../gen/iwouldargue/v1/diagnostics.client';

type Results = Record<string, unknown>;

async function run(): Promise<Results> {
  const params = new URLSearchParams(location.search);
  const format = params.get('format') === 'text' ? 'text' : 'binary';
  const transport = new GrpcWebFetchTransport({ baseUrl: params.get('server')!, format });
  const client = new DiagnosticsServiceClient(transport);
  const results: Results = { format };

  const unary = await client.echo({ message: `hello over ${format}`, payload: new Uint8Array([1, 2, 3]), delayMs: 0, failWithCode: 0, failWithMessage: '' });
  results.unaryMessage = unary.response.message;
  results.unaryPayload = Array.from(unary.response.payload);
  results.unaryStatus = (await unary.status).code;

  // Five messages written 400 ms apart: the first must arrive long before the server writes the last.
  const stream = client.echoStream({ message: 'live', repeat: 5, intervalMs: 400 });
  const arrivals: { index: number; arrivedAt: number; sentAt: number }[] = [];
  for await (const message of stream.responses) {
    const sentAt = Number(message.sentAt!.seconds) * 1000 + message.sentAt!.nanos / 1e6;
    arrivals.push({ index: message.index, arrivedAt: Date.now(), sentAt });
  }
  results.streamIndexes = arrivals.map((a) => a.index);
  results.firstArrivedBeforeLastSent = arrivals[0].arrivedAt < arrivals[arrivals.length - 1].sentAt;
  results.streamStatus = (await stream.status).code;

  try {
    await client.echo({ message: '', payload: new Uint8Array(), delayMs: 0, failWithCode: 5, failWithMessage: 'no such discussion' });
    results.errorCode = 'none';
  } catch (error) {
    results.errorCode = (error as RpcError).code;
    results.errorMessage = (error as RpcError).message;
  }
  return results;
}

(window as unknown as { results: Promise<Results> }).results = run().catch((error) => ({ failure: String(error?.stack ?? error) }));
