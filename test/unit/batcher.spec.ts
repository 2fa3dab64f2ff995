import { Batcher } from "../../db/batcher";

describe("Batcher", () => {
	it("runs a lone call at once, and groups the calls that arrive while a batch is written", async () => {
		const batches: number[][] = [];
		const batcher = new Batcher<number, number>(async items => {
			batches.push(items);
			await new Promise(resolve => setTimeout(resolve, 20));
			return items.map(i => i * 10);
		});
		expect(await batcher.add(1)).toBe(10);
		const results = await Promise.all([2, 3, 4, 5].map(i => batcher.add(i)));
		expect(results).toEqual([20, 30, 40, 50]);
		expect(batches).toEqual([[1], [2, 3, 4, 5]]);
	});

	it("caps a batch and rejects every call of a batch that fails", async () => {
		const sizes: number[] = [];
		const batcher = new Batcher<number, number>(
			async items => {
				sizes.push(items.length);
				if (items.includes(13)) throw new Error("unlucky batch");
				return items;
			},
			{ maxBatch: 3 },
		);
		const outcomes = await Promise.allSettled([1, 2, 3, 4, 13].map(i => batcher.add(i)));
		expect(sizes).toEqual([3, 2]);
		expect(outcomes.map(o => o.status)).toEqual(["fulfilled", "fulfilled", "fulfilled", "rejected", "rejected"]);
	});

	it("fails every call of a batch whose results do not match its calls", async () => {
		const batcher = new Batcher<number, number>(async items => items.slice(1));
		const outcomes = await Promise.allSettled([1, 2, 3].map(i => batcher.add(i)));
		expect(outcomes.map(o => o.status)).toEqual(["rejected", "rejected", "rejected"]);
		expect((outcomes[0] as PromiseRejectedResult).reason.message).toBe("A batch of 3 calls got 2 results.");
	});

	it("fails a call at once when the queue is full, and drops unwritten a call still queued at its deadline", async () => {
		const written: number[] = [];
		let release!: () => void;
		const gate = new Promise<void>(resolve => (release = resolve));
		const batcher = new Batcher<number, number>(
			async items => {
				written.push(...items);
				await gate;
				return items;
			},
			{ maxQueued: 2 },
		);
		const first = batcher.add(1);
		await new Promise(resolve => setImmediate(resolve));
		// The first batch is being written: two calls may wait, a third is refused.
		const late = batcher.add(2, Date.now() + 10);
		const onTime = batcher.add(3);
		await expect(batcher.add(4)).rejects.toMatchObject({ code: 503, type: "OVERLOADED", retryable: true });
		await new Promise(resolve => setTimeout(resolve, 30));
		release();
		await expect(first).resolves.toBe(1);
		await expect(late).rejects.toMatchObject({ code: 503, type: "OVERLOADED" });
		await expect(onTime).resolves.toBe(3);
		expect(written).toEqual([1, 3]);
	});
});
