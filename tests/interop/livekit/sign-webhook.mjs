// Signs a webhook body the way a LiveKit server does, with livekit-server-sdk: an HS256 token from the
// API key and secret carrying the body's base64 SHA-256 in its "sha256" claim. Prints the token.
// usage: node sign-webhook.mjs <api key> <api secret> <body file>
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { AccessToken } from "livekit-server-sdk";

const [apiKey, apiSecret, file] = process.argv.slice(2);
const body = readFileSync(file);
const token = new AccessToken(apiKey, apiSecret, { ttl: "5m" });
token.sha256 = createHash("sha256").update(body).digest("base64");
console.log(await token.toJwt());
