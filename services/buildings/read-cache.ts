/**
 * Keeps the answers of a read action in the node's memory, by id, until a change to them.
 * Every change is announced, and a node forgets an answer before it can serve a request sent
 * after the change was answered: over one NATS server, a node receives the event before any
 * request that follows the answer.
 *
 * A read that runs while a change is announced is not kept, as it may have read the row
 * before the change; neither is a degraded answer (`keep`). Moleculer's cacher middleware
 * would keep both, hence this small cache. After a reconnection, when events may have been
 * missed, the owner drops the whole cache.
 */
export class ReadCache<T> {
	private readonly answers = new Map<number, T>();
	/** Bumped by every change: a read that saw it move while it ran is not kept. */
	private generation = 0;

	constructor(
		/** Most answers kept; 0 turns the cache off. */
		private readonly maxEntries: number,
		/** Tells every other node that keeps these answers to forget them. */
		private readonly announce: (ids: number[]) => Promise<void>,
	) {}

	/** The kept answer for `id`, or `load`'s, kept if `keep(answer)` and nothing changed meanwhile. */
	async readThrough(id: number, load: () => Promise<T>, keep: (answer: T) => boolean): Promise<T> {
		const kept = this.answers.get(id);
		if (kept !== undefined) return kept;
		const seen = this.generation;
		const answer = await load();
		if (this.maxEntries > 0 && seen === this.generation && keep(answer)) {
			// A Map keeps insertion order: the first key is the oldest answer.
			if (this.answers.size >= this.maxEntries) this.answers.delete(this.answers.keys().next().value!);
			this.answers.set(id, answer);
		}
		return answer;
	}

	/** Forgets the answers for these ids here, and tells every other node that keeps them. */
	async forget(ids: number[]): Promise<void> {
		if (ids.length === 0) return;
		this.drop(ids);
		await this.announce(ids);
	}

	/** Forgets these answers (a change announced by any node), or all of them. */
	drop(ids: number[] | "all"): void {
		this.generation++;
		if (ids === "all") this.answers.clear();
		else for (const id of ids) this.answers.delete(id);
	}
}
