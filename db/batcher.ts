import { OverloadedError } from "../broker/errors";

export interface BatcherOptions {
	/** The most calls one batch takes; the rest wait for the next. */
	maxBatch?: number;
	/** The most calls waiting for a batch; past it a call fails at once with OverloadedError. */
	maxQueued?: number;
}

interface Entry<T, R> {
	item: T;
	deadline: number;
	resolve(result: R): void;
	reject(err: unknown): void;
}

/**
 * Group commit: calls that arrive while a batch is being written wait and go together in the
 * next one. Idle, a call runs at once; under load, one
 * statement serves many requests. Each call gets its own result, in the order given, once its
 * batch is written. The queue is bounded, and a call still queued at its deadline is dropped
 * unwritten, so overload is answered at once instead of piling up.
 */
export class Batcher<T, R = void> {
	private pending: Entry<T, R>[] = [];
	private running = false;
	private readonly maxBatch: number;
	private readonly maxQueued: number;

	constructor(
		private readonly write: (items: T[]) => Promise<R[]>,
		{ maxBatch = 500, maxQueued = Number.POSITIVE_INFINITY }: BatcherOptions = {},
	) {
		this.maxBatch = maxBatch;
		this.maxQueued = maxQueued;
	}

	/** Queues a call; `deadline` (ms since the epoch) is when its caller stops waiting. */
	add(item: T, deadline = Number.POSITIVE_INFINITY): Promise<R> {
		if (this.pending.length >= this.maxQueued) return Promise.reject(new OverloadedError());
		return new Promise((resolve, reject) => {
			this.pending.push({ item, deadline, resolve, reject });
			// Idle, the call goes at once (once the code that queued it has run): nothing waits to be
			// grouped when nothing is. Calls that come while a batch runs wait for it, and go together.
			if (!this.running && this.pending.length === 1) queueMicrotask(() => void this.flush());
		});
	}

	private async flush(): Promise<void> {
		if (this.running || this.pending.length === 0) return;
		this.running = true;
		const taken = this.pending.splice(0, this.maxBatch);
		const now = Date.now();
		const batch = taken.filter(entry => entry.deadline > now);
		for (const entry of taken) if (entry.deadline <= now) entry.reject(new OverloadedError());
		try {
			const results = batch.length > 0 ? await this.write(batch.map(entry => entry.item)) : [];
			// Each caller must get its own result: a short or long answer is a bug, not a partial success.
			if (results.length !== batch.length) throw new Error(`A batch of ${batch.length} calls got ${results.length} results.`);
			batch.forEach((entry, i) => entry.resolve(results[i]));
		} catch (err) {
			for (const entry of batch) entry.reject(err);
		} finally {
			this.running = false;
			if (this.pending.length > 0) void this.flush();
		}
	}
}
