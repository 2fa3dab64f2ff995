import { SCENARIO, YARDSTICK } from "./names";
import { percentOf, type Results } from "./results";

/** INSERTs one creation makes: the building, its outbox job, the workflow. */
const INSERTS_PER_CREATION = 3;

/** What a figure should be, and whether a value is it. */
interface Goal {
	text: string;
	met(value: number): boolean;
}

const atLeast = (bound: number, unit = ""): Goal => ({ text: `≥ ${bound}${unit}`, met: value => value >= bound });
const atMost = (bound: number, unit = ""): Goal => ({ text: `≤ ${bound}${unit}`, met: value => value <= bound });
const none: Goal = { text: "0", met: value => value === 0 };

const ratio = (a: number, b: number) => Math.round((100 * a) / b) / 100;

/**
 * The figures the run is judged by, each with its goal if it has one: how near the cluster comes
 * to the raw parts under it, how it scales over workflows nodes, and how evenly they share the work.
 * Null where a part was not measured (no NATS, or a scenario of the full run only).
 */
export function ratiosAndGoals(results: Pick<Results, "scenarios" | "yardsticks" | "workflowsPerNode">): Pick<Results, "ratios" | "goals"> {
	const s = results.scenarios;
	const y = results.yardsticks;
	const rps = (figures: { requestsPerSecond: number } | null | undefined) => figures?.requestsPerSecond ?? null;
	const over = (a: number | null, b: number | null) => (a === null || !b ? null : ratio(a, b));
	const post = s[SCENARIO.post50];
	const inserts = rps(y[YARDSTICK.insert]);

	const figures: [string, number | null, Goal?][] = [
		[`POST 50 conn ÷ (raw insert ÷ ${INSERTS_PER_CREATION})`, over(rps(post), inserts && inserts / INSERTS_PER_CREATION), atLeast(0.5)],
		["POST 50 conn p99 (ms)", post.p99, atMost(30, " ms")],
		["POST 50 conn errors + non-2xx", post.errors + post.non2xx, none],
		["POST, 3 workflows nodes ÷ 1 workflows node", over(rps(post), rps(s[SCENARIO.post50OneNode])), atLeast(0.9)],
		...Object.entries(results.workflowsPerNode).map(([nodeID, n]): [string, number, Goal] => [
			`${nodeID}'s share of the workflows created in POST 50 conn (%)`,
			percentOf(n, results.workflowsPerNode),
			atLeast(25, " %"),
		]),
		["GET by id ÷ read yardstick", over(rps(s[SCENARIO.getById]), rps(y[YARDSTICK.readPipeline])), atLeast(0.5)],
		["list p50 latency, 100k ÷ 1k rows", ratio(s[SCENARIO.list100k].p50 || 1, s[SCENARIO.list1k].p50 || 1)],
		["GET by id ÷ bare http", over(rps(s[SCENARIO.getById]), rps(y[YARDSTICK.bareHttp]))],
		["POST ÷ bare http", over(rps(post), rps(y[YARDSTICK.bareHttp]))],
		["POST with METRICS ÷ without", over(rps(s[SCENARIO.post50Metrics]), rps(post))],
	];
	const judged: Pick<Results, "ratios" | "goals"> = { ratios: {}, goals: {} };
	for (const [name, value, goal] of figures) {
		judged.ratios[name] = value;
		if (goal) judged.goals[name] = { goal: goal.text, met: value === null ? null : goal.met(value) };
	}
	return judged;
}
