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
