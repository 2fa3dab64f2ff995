/** What a stream of POST /api/buildings got back. */
export interface LoadResult {
	sent: number;
	/** How many answers had each status (0: no answer at all). */
	statuses: Record<number, number>;
	/** Ids of the buildings answered with 201 or 202. */
	accepted: number[];
	/** Every answer, in the order they came: its status and when its request was sent and answered (ms since the epoch). */
	answers: { status: number; sentAt: number; answeredAt: number }[];
}

export interface LoadOptions {
	total: number;
	/** Requests started per second. */
	ratePerSecond: number;
	/** Most requests in flight at once. */
	maxInFlight: number;
}

/** Sends `total` POST /api/buildings at a steady rate, several in flight; stops by itself. */
export async function postBuildingsSteadily(apiUrl: string, { total, ratePerSecond, maxInFlight }: LoadOptions): Promise<LoadResult> {
	const result: LoadResult = { sent: 0, statuses: {}, accepted: [], answers: [] };
	const inFlight = new Set<Promise<void>>();
	const started = Date.now();
	for (let i = 0; i < total; i++) {
		const due = started + (i * 1000) / ratePerSecond;
		if (due > Date.now()) await new Promise(resolve => setTimeout(resolve, due - Date.now()));
		while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
		result.sent++;
		const sentAt = Date.now();
		const request = postOne(apiUrl, `Load ${i}`).then(({ status, id }) => {
			result.answers.push({ status, sentAt, answeredAt: Date.now() });
			result.statuses[status] = (result.statuses[status] ?? 0) + 1;
			if ((status === 201 || status === 202) && id !== undefined) result.accepted.push(id);
		});
		const tracked = request.finally(() => inFlight.delete(tracked));
		inFlight.add(tracked);
	}
	await Promise.all(inFlight);
	return result;
}

async function postOne(apiUrl: string, name: string): Promise<{ status: number; id?: number }> {
	try {
		const res = await fetch(`${apiUrl}/buildings`, {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify({ name }),
			signal: AbortSignal.timeout(30_000),
		});
		const body = (await res.json()) as { id?: number };
		return { status: res.status, id: body.id };
	} catch {
		return { status: 0 };
	}
}
