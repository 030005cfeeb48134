// Loads iwouldargue.v1.DiagnosticsService from protos/ with @grpc/proto-loader, independently of our C# code.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

const protos = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../protos');

export function loadDiagnostics() {
  const definition = protoLoader.loadSync('iwouldargue/v1/diagnostics.proto', {
    includeDirs: [protos],
    keepCase: true,
    longs: Number,
    defaults: true,
  });
  return grpc.loadPackageDefinition(definition).iwouldargue.v1.DiagnosticsService;
}

export { grpc };
