/**
 * Group commit: calls that arrive while a batch is being written wait and go together in the
 * next one. Idle, a call runs at once (on the next turn of the event loop); under load, one
 * statement serves many requests. Each call gets its own result, in the order given, once its
 * batch is written.
 */
export class Batcher<T, R = void> {
	private pending: { item: T; resolve(result: R): void; reject(err: unknown): void }[] = [];
	private running = false;

	constructor(
		private readonly write: (items: T[]) => Promise<R[]>,
		/** The most calls one batch takes; the rest wait for the next. */
		private readonly maxBatch = 500,
	) {}

	add(item: T): Promise<R> {
		return new Promise((resolve, reject) => {
			this.pending.push({ item, resolve, reject });
			if (!this.running && this.pending.length === 1) setImmediate(() => void this.flush());
		});
	}

	private async flush(): Promise<void> {
		if (this.running || this.pending.length === 0) return;
		this.running = true;
		const batch = this.pending.splice(0, this.maxBatch);
		try {
			const results = await this.write(batch.map(entry => entry.item));
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
