import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { Errors } from "moleculer";

/**
 * The key a request carries: `Authorization: Bearer <key>`, else the password of HTTP Basic
 * (any user name: what a browser sends when a page asks for one), else `X-API-Key: <key>`.
 */
function keyOf(req: IncomingMessage): string | undefined {
	const authorization = req.headers.authorization ?? "";
	const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
	const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization)?.[1];
	const password = basic && /^[^:]*:(.+)$/.exec(Buffer.from(basic, "base64").toString("utf8"))?.[1];
	const header = req.headers["x-api-key"];
	return bearer ?? (password || undefined) ?? (typeof header === "string" ? header.trim() : undefined);
}

// Compared as SHA-256 digests, which have one length: timingSafeEqual then takes as long
// whichever byte differs, and nothing about a key's length or content leaks through timing.
const digest = (key: string) => createHash("sha256").update(key).digest();

/**
 * A check of the API keys a gateway accepts (API_KEYS): with none configured, every request
 * passes; otherwise one without a listed key is refused with a 401.
 */
export function apiKeyCheck(keys: readonly string[]): (req: IncomingMessage) => void {
	const accepted = keys.map(digest);
	return req => {
		if (accepted.length === 0) return;
		const given = keyOf(req);
		const presented = digest(given ?? "");
		// Every key is compared, so the time taken does not tell which one came close.
		const matches = accepted.reduce((found, key) => timingSafeEqual(key, presented) || found, false);
		if (given && matches) return;
		throw new Errors.MoleculerClientError(
			"This API needs a key: send it as Authorization: Bearer <key> or X-API-Key: <key>.",
			401,
			"UNAUTHORIZED",
		);
	};
}
