import autocannon from "autocannon";

/** The figures of one load scenario. Latencies are in ms, to a tenth. */
export interface LoadFigures {
	requestsPerSecond: number;
	p50: number;
	p90: number;
	p99: number;
	errors: number;
	non2xx: number;
	requests: number;
	/** 2xx answers whose body was checked (0: the load checks no body). */
	checkedAnswers: number;
	/** Checked 2xx answers whose body was not what was asked for (a read without its workflow, say). */
	wrongAnswers: number;
}

export interface LoadOptions {
	url: string;
	connections: number;
	durationSeconds: number;
	method?: "GET" | "POST";
	body?: string;
	/** Builds each request's path (for varying ids or pages). */
	path?: () => string;
	/** Whether a 2xx answer's body is right for the path asked: every 2xx answer is checked. */
	isRightAnswer?: (path: string, body: string) => boolean;
}

/** The 50th, 90th and 99th percentiles of `latencies` (ms), to a tenth of a ms; sorts them. */
export function percentiles(latencies: number[]): Pick<LoadFigures, "p50" | "p90" | "p99"> {
	latencies.sort((a, b) => a - b);
	const at = (q: number) => Math.round(10 * (latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0)) / 10;
	return { p50: at(0.5), p90: at(0.9), p99: at(0.99) };
}

/**
 * Runs autocannon against one URL and returns req/s, latency percentiles and failures. The
 * percentiles are of every 2xx answer's time, kept whole: autocannon's own are whole ms, too
 * coarse for a goal of 2 ms.
 */
export async function load({
	url,
	connections,
	durationSeconds,
	method = "GET",
	body,
	path,
	isRightAnswer,
}: LoadOptions): Promise<LoadFigures> {
	const latencies: number[] = [];
	let checkedAnswers = 0;
	let wrongAnswers = 0;
	// The path each client has in flight, by its context (one request at a time: no pipelining).
	const asked = new WeakMap<object, string>();
	const request: autocannon.Request = {};
	if (path) {
		request.setupRequest = (req, context) => {
			const next = path();
			asked.set(context, next);
			return { ...req, path: next };
		};
	}
	if (isRightAnswer) {
		request.onResponse = (status, answer, context) => {
			if (status < 200 || status > 299) return;
			checkedAnswers++;
			if (!isRightAnswer(asked.get(context) ?? new URL(url).pathname, answer)) wrongAnswers++;
		};
	}
	const result = await new Promise<autocannon.Result>((resolve, reject) => {
		const instance = autocannon(
			{
				url,
				connections,
				duration: durationSeconds,
				method,
				body,
				headers: body ? { "content-type": "application/json" } : undefined,
				requests: path || isRightAnswer ? [request] : undefined,
			},
			(err: Error | null, done: autocannon.Result) => (err ? reject(err) : resolve(done)),
		);
		instance.on("response", (_client, statusCode, _bytes, responseTime) => {
			if (statusCode >= 200 && statusCode <= 299) latencies.push(responseTime);
		});
	});
	return {
		requestsPerSecond: Math.round(result.requests.average),
		...percentiles(latencies),
		// autocannon counts a timeout among its errors too.
		errors: result.errors,
		non2xx: result.non2xx,
		requests: result.requests.total,
		checkedAnswers,
		wrongAnswers,
	};
}
