import { RepeatSummary } from "../../broker/repeat-summary";

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

describe("RepeatSummary", () => {
	it("logs a cause's first occurrence at once, then one line per window with the count, and stops when it stops recurring", async () => {
		const lines: string[] = [];
		const summary = new RepeatSummary(line => lines.push(line), 200);
		summary.note("503 DATABASE_UNAVAILABLE", "first");
		for (let i = 0; i < 5; i++) summary.note("503 DATABASE_UNAVAILABLE");
		summary.note("other cause");
		expect(lines).toEqual(["first", "other cause"]);
		await sleep(250);
		expect(lines).toEqual(["first", "other cause", "503 DATABASE_UNAVAILABLE (5 more in the last 0.2 s)"]);
		summary.note("503 DATABASE_UNAVAILABLE");
		await sleep(250);
		expect(lines.slice(3)).toEqual(["503 DATABASE_UNAVAILABLE (1 more in the last 0.2 s)"]);
		// A window with nothing counted closes: the next occurrence is logged at once.
		await sleep(250);
		summary.note("503 DATABASE_UNAVAILABLE", "again");
		expect(lines.slice(4)).toEqual(["again"]);
		summary.note("503 DATABASE_UNAVAILABLE");
		summary.stop();
		expect(lines.slice(5)).toEqual(["503 DATABASE_UNAVAILABLE (1 more in the last 0.2 s)"]);
		await sleep(250);
		expect(lines).toHaveLength(6);
	});
});
