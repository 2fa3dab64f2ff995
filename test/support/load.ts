/** One POST /api/buildings: when it was sent and answered, and how. */
export interface Answer {
	sentAt: number;
	answeredAt: number;
	/** The HTTP status, whatever the body; 0: no answer at all (refused, reset or timed out after 30 s). */
	status: number;
	/** The building, when the answer names one (201, 202, or a 503 after it was saved). */
	id?: number;
	retryAfter?: string;
	/** The error's type, for an error. */
	type?: string;
}

/** What a stream of POST /api/buildings got back. */
export interface LoadResult {
	sent: number;
	/** How many answers had each status (0: no answer at all). */
	statuses: Record<number, number>;
	/** Ids of the buildings answered with 201 or 202. */
	accepted: number[];
	/** Every answer, in the order they came. */
	answers: Answer[];
}

export interface LoadOptions {
	/** Most requests sent. */
	total: number;
	/** Requests started per second. */
	ratePerSecond: number;
	/** Most requests in flight at once. */
	maxInFlight: number;
	/** Stops starting requests after this long, even if fewer than `total` were sent. */
	durationMs?: number;
	/** Stops starting requests once this holds of the answers so far (checked before each request). */
	until?: (result: LoadResult) => boolean;
	/** Prefix of the buildings' names, to tell one stream's buildings from another's. */
	name?: string;
}

/** Sends up to `total` POST /api/buildings at a steady rate, several in flight; stops by itself. */
export async function postBuildingsSteadily(apiUrl: string, options: LoadOptions): Promise<LoadResult> {
	const { total, ratePerSecond, maxInFlight, durationMs = Number.POSITIVE_INFINITY, until = () => false, name = "Load" } = options;
	const result: LoadResult = { sent: 0, statuses: {}, accepted: [], answers: [] };
	const inFlight = new Set<Promise<void>>();
	const started = Date.now();
	for (let i = 0; i < total && Date.now() - started < durationMs && !until(result); i++) {
		const due = started + (i * 1000) / ratePerSecond;
		if (due > Date.now()) await new Promise(resolve => setTimeout(resolve, due - Date.now()));
		while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
		result.sent++;
		const request = postOne(apiUrl, `${name} ${i}`).then(answer => {
			result.answers.push(answer);
			result.statuses[answer.status] = (result.statuses[answer.status] ?? 0) + 1;
			if ((answer.status === 201 || answer.status === 202) && answer.id !== undefined) result.accepted.push(answer.id);
		});
		const tracked = request.finally(() => inFlight.delete(tracked));
		inFlight.add(tracked);
	}
	await Promise.all(inFlight);
	return result;
}

async function postOne(apiUrl: string, name: string): Promise<Answer> {
	const sentAt = Date.now();
	let res: Response;
	let text: string;
	try {
		res = await fetch(`${apiUrl}/buildings`, {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify({ name }),
			signal: AbortSignal.timeout(30_000),
		});
		text = await res.text();
	} catch {
		return { sentAt, answeredAt: Date.now(), status: 0 };
	}
	// An answer that is not JSON (a proxy's error page, a truncated body) keeps its status.
	let body: { id?: number; type?: string; data?: { id?: number } } = {};
	try {
		body = (JSON.parse(text) as typeof body | null) ?? {};
	} catch {
		// not JSON
	}
	const retryAfter = res.headers.get("retry-after") ?? undefined;
	return { sentAt, answeredAt: Date.now(), status: res.status, id: body.id ?? body.data?.id, retryAfter, type: body.type };
}
