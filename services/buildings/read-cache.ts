import type { Context, ServiceBroker, ServiceSchema } from "moleculer";

/** Announces that the answers about these buildings are out of date. */
export interface BuildingsChanged {
	ids: number[];
}

export interface ReadCacheOptions {
	/** Most answers kept; 0 turns the cache off. */
	maxEntries: number;
	/** The event this service announces its own changes with. */
	announce: string;
	/** Every event, its own included, whose `ids` name answers that are out of date. */
	listen: string[];
}

/** What the mixin gives a service. */
export interface ReadCache<T> {
	/** The kept answer for `id`, or `load`'s, kept if `keep(answer)` and nothing changed meanwhile. */
	readThrough(id: number, load: () => Promise<T>, keep: (answer: T) => boolean): Promise<T>;
	/** Forgets the answers for these ids here, and tells every other node that keeps them. */
	forget(ids: number[]): Promise<void>;
}

interface CacheState<T> {
	answers: Map<number, T>;
	/** Bumped by every change: a read that saw it move while it ran is not kept. */
	generation: number;
}

type Self<T> = { broker: ServiceBroker; readCache: CacheState<T> };

function drop<T>(cache: CacheState<T>, ids: number[] | "all"): void {
	cache.generation++;
	if (ids === "all") cache.answers.clear();
	else for (const id of ids) cache.answers.delete(id);
}

/**
 * Keeps the answers of a read action in the node's memory, by id, until a change to them.
 * Every change is announced, and a node forgets an answer before it can serve a request sent
 * after the change was answered: over one NATS server, a node receives the event before any
 * request that follows the answer.
 *
 * A read that runs while a change is announced is not kept, as it may have read the row
 * before the change; neither is a degraded answer (`keep`). Moleculer's cacher middleware
 * would keep both, hence this small cache. After a reconnection, when events may have been
 * missed, the whole cache is dropped.
 */
export function ReadCacheMixin<T>({ maxEntries, announce, listen }: ReadCacheOptions): Partial<ServiceSchema> {
	function forgetOnChange(this: Self<T>, ctx: Context<BuildingsChanged>) {
		drop(this.readCache, ctx.params.ids);
	}
	return {
		events: {
			...Object.fromEntries(listen.map(event => [event, forgetOnChange])),
			"$transporter.connected"(this: Self<T>) {
				drop(this.readCache, "all");
			},
		},
		methods: {
			async readThrough(this: Self<T>, id: number, load: () => Promise<T>, keep: (answer: T) => boolean): Promise<T> {
				const cache = this.readCache;
				const kept = cache.answers.get(id);
				if (kept !== undefined) return kept;
				const seen = cache.generation;
				const answer = await load();
				if (maxEntries > 0 && seen === cache.generation && keep(answer)) {
					// A Map keeps insertion order: the first key is the oldest answer.
					if (cache.answers.size >= maxEntries) cache.answers.delete(cache.answers.keys().next().value!);
					cache.answers.set(id, answer);
				}
				return answer;
			},
			async forget(this: Self<T>, ids: number[]): Promise<void> {
				if (ids.length === 0) return;
				drop(this.readCache, ids);
				await this.broker.broadcast(announce, { ids } satisfies BuildingsChanged);
			},
		},
		created() {
			const readCache: CacheState<T> = { answers: new Map(), generation: 0 };
			Object.assign(this, { readCache });
		},
	};
}
