import autocannon from "autocannon";

/** The figures of one load scenario. */
export interface LoadFigures {
	requestsPerSecond: number;
	p50: number;
	p90: number;
	p99: number;
	errors: number;
	non2xx: number;
	requests: number;
}

export interface LoadOptions {
	url: string;
	connections: number;
	durationSeconds: number;
	method?: "GET" | "POST";
	body?: string;
	/** Builds each request's path (for varying ids or pages). */
	path?: () => string;
}

/** Runs autocannon against one URL and returns req/s, latency percentiles (ms) and failures. */
export async function load({ url, connections, durationSeconds, method = "GET", body, path }: LoadOptions): Promise<LoadFigures> {
	const result = await autocannon({
		url,
		connections,
		duration: durationSeconds,
		method,
		body,
		headers: body ? { "content-type": "application/json" } : undefined,
		requests: path ? [{ setupRequest: request => ({ ...request, path: path() }) }] : undefined,
	});
	return {
		requestsPerSecond: Math.round(result.requests.average),
		p50: result.latency.p50,
		p90: result.latency.p90,
		p99: result.latency.p99,
		errors: result.errors + result.timeouts,
		non2xx: result.non2xx,
		requests: result.requests.total,
	};
}
