/**
 * Group commit: calls that arrive while a batch is being written wait and go together in the
 * next one. Idle, a call runs at once (on the next turn of the event loop); under load, one
 * statement serves many requests. Each call resolves once its batch is written.
 */
export class Batcher<T> {
	private pending: { item: T; resolve(): void; reject(err: unknown): void }[] = [];
	private running = false;

	constructor(private readonly write: (items: T[]) => Promise<void>) {}

	add(item: T): Promise<void> {
		return new Promise((resolve, reject) => {
			this.pending.push({ item, resolve, reject });
			if (!this.running && this.pending.length === 1) setImmediate(() => void this.flush());
		});
	}

	private async flush(): Promise<void> {
		if (this.running || this.pending.length === 0) return;
		this.running = true;
		const batch = this.pending.splice(0);
		try {
			await this.write(batch.map(entry => entry.item));
			for (const entry of batch) entry.resolve();
		} catch (err) {
			for (const entry of batch) entry.reject(err);
		} finally {
			this.running = false;
			if (this.pending.length > 0) void this.flush();
		}
	}
}
