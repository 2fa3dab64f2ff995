import { Batcher } from "../../mixins/batcher";

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
		const batcher = new Batcher<number, number>(async items => {
			sizes.push(items.length);
			if (items.includes(13)) throw new Error("unlucky batch");
			return items;
		}, 3);
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
});
