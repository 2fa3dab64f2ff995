import { compareRuns, comparisonTable, figuresOf, median, type RunFigures } from "../../bench/comparison";

const figures = (requestsPerSecond: number, p99: number, extra: object = {}) => ({
	requestsPerSecond,
	p50: 1,
	p90: 2,
	p99,
	errors: 0,
	non2xx: 0,
	requests: 100,
	...extra,
});

/** A run of today's bench: a scenario older benches lack, answers checked. */
const newer = (post: number, reads: number): RunFigures => ({
	scenarios: {
		"POST /buildings, 10 conn": figures(post, 20, { checkedAnswers: 100, wrongAnswers: 1 }),
		"GET /buildings/:id, random over 100k buildings with workflows, 50 conn": figures(reads, 30, { checkedAnswers: 100, wrongAnswers: 0 }),
	},
	yardsticks: { "lean in-process read": figures(10_000, 5), "NATS request-reply": null },
	ratios: { "POST ÷ bare http": 0.05, "POST with METRICS ÷ without": null },
});

/** A run of an older bench: no body checks, a scenario since dropped. */
const older = (post: number): RunFigures => ({
	scenarios: { "POST /buildings, 10 conn": figures(post, 40), "GET /buildings/:id, 50 conn": figures(9000, 10) },
	yardsticks: {},
	ratios: { "POST ÷ bare http": 0.04 },
});

describe("comparing two commits' benchmark runs", () => {
	it("takes the median of each side's runs", () => {
		expect(median([3, 1, 2])).toBe(2);
		expect(median([4, 1, 3, 2])).toBe(2.5);
		expect(median([])).toBeNull();
	});

	it("names each figure, counts wrong answers as failures, and leaves out what a run lacks", () => {
		const run = figuresOf(newer(1000, 3000));
		expect(run.get("POST /buildings, 10 conn · req/s")).toBe(1000);
		expect(run.get("POST /buildings, 10 conn · p99 ms")).toBe(20);
		expect(run.get("POST /buildings, 10 conn · failures")).toBe(1);
		expect(run.get("yardstick: lean in-process read · req/s")).toBe(10_000);
		expect(run.has("yardstick: NATS request-reply · req/s")).toBe(false);
		expect(run.get("ratio · POST ÷ bare http")).toBe(0.05);
		expect(run.has("ratio · POST with METRICS ÷ without")).toBe(false);
		// An older run checked no bodies: its failures are errors and non-2xx.
		expect(figuresOf(older(900)).get("POST /buildings, 10 conn · failures")).toBe(0);
	});

	it("lines up the figures both sides have, and shows those one side lacks as missing there", () => {
		const rows = compareRuns([newer(1000, 3000), newer(1600, 3200), newer(1500, 2800)], [older(1000), older(900), older(1100)]);
		const row = (figure: string) => rows.find(r => r.figure === figure);
		expect(row("POST /buildings, 10 conn · req/s")).toEqual({
			figure: "POST /buildings, 10 conn · req/s",
			ours: 1500,
			theirs: 1000,
			ratio: 1.5,
		});
		expect(row("GET /buildings/:id, random over 100k buildings with workflows, 50 conn · req/s")).toMatchObject({
			ours: 3000,
			theirs: null,
			ratio: null,
		});
		expect(row("GET /buildings/:id, 50 conn · req/s")).toMatchObject({ ours: null, theirs: 9000, ratio: null });
		// Ours first, in the order our runs report them; then what only the other side measured.
		expect(rows[0].figure).toBe("POST /buildings, 10 conn · req/s");
		expect(rows.findIndex(r => r.ours === null)).toBe(rows.findIndex(r => r.figure === "GET /buildings/:id, 50 conn · req/s"));
		expect(rows.findIndex(r => r.ours === null)).toBeGreaterThan(rows.findIndex(r => r.figure === "ratio · POST ÷ bare http"));

		const table = comparisonTable(rows, { ours: "this (abc)", theirs: "other (def)" });
		expect(table).toContain("| figure | this (abc) | other (def) | ratio |");
		expect(table).toContain("| POST /buildings, 10 conn · req/s | 1500 | 1000 | 1.5 |");
		expect(table).toContain("| GET /buildings/:id, 50 conn · req/s | — | 9000 | — |");
	});
});
