// Verifies LiveKit access tokens with livekit-server-sdk's TokenVerifier (LiveKit's own code) and prints
// one JSON line per token: {"ok":true,"claims":{...}} or {"ok":false,"error":"..."}.
// usage: node verify-token.mjs <api key> <api secret> <token>...
import { TokenVerifier } from "livekit-server-sdk";

const [apiKey, apiSecret, ...tokens] = process.argv.slice(2);
const verifier = new TokenVerifier(apiKey, apiSecret);
for (const token of tokens) {
  try {
    const claims = await verifier.verify(token);
    console.log(JSON.stringify({ ok: true, claims }));
  } catch (e) {
    console.log(JSON.stringify({ ok: false, error: String(e?.message ?? e) }));
  }
}
