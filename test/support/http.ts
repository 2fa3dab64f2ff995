import { request } from "node:http";

export interface HttpAnswer<T = any> {
	status: number;
	headers: Headers;
	body: T;
}

/** One HTTP request; a JSON body is sent as JSON, a string as it is. */
export async function http<T = any>(
	method: string,
	url: string,
	body?: unknown,
	headers: Record<string, string> = {},
): Promise<HttpAnswer<T>> {
	const init: RequestInit = { method, headers: { ...headers } };
	if (typeof body === "string") init.body = body;
	else if (body !== undefined) {
		init.body = JSON.stringify(body);
		(init.headers as Record<string, string>)["content-type"] ??= "application/json";
	}
	const res = await fetch(url, init);
	const text = await res.text();
	let parsed: unknown = text;
	try {
		parsed = JSON.parse(text);
	} catch {
		// not JSON: keep the text, the test will say so
	}
	return { status: res.status, headers: res.headers, body: parsed as T };
}

/**
 * A request whose path goes out byte for byte (`fetch` and URL resolve `..` before sending):
 * for path traversal.
 */
export function rawHttp(method: string, origin: string, rawPath: string): Promise<HttpAnswer> {
	const { hostname, port } = new URL(origin);
	return new Promise((resolve, reject) => {
		const req = request({ method, host: hostname, port, path: rawPath }, res => {
			let text = "";
			res.setEncoding("utf8");
			res.on("data", chunk => (text += chunk));
			res.on("end", () => {
				const headers = new Headers();
				for (const [name, value] of Object.entries(res.headers)) if (typeof value === "string") headers.set(name, value);
				let body: unknown = text;
				try {
					body = JSON.parse(text);
				} catch {
					// not JSON: keep the text
				}
				resolve({ status: res.statusCode ?? 0, headers, body });
			});
		});
		req.on("error", reject);
		req.end();
	});
}
