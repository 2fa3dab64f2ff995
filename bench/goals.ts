import { LARGE_TABLE, SCENARIO, YARDSTICK } from "./names";
import { percentOf, type Results } from "./results";

/**
 * The commits one creation waits on: the building with its outbox job, the workflow, the
 * building's link with its workflow's copy. Each is a group commit, so the raw insert yardstick
 * divided by them is what the cluster could reach if nothing but writing cost.
 */
const WRITES_PER_CREATION = 3;

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
 * The name of the figure whose goal needs an older commit's run beside this one: the bench alone
 * only prints it, `npm run bench:compare` judges it.
 */
export const POST_10_FIGURE = "POST 10 conn req/s (goal ≥ 1.5 × the older commit's, same session: npm run bench:compare)";

/**
 * The figures the run is judged by, each with its goal if it has one: how near the cluster comes
 * to the raw parts under it, its latency when there is little to group, how it scales over
 * workflows nodes, and how evenly they share the work. Null where a part was not measured (no
 * NATS, or a scenario of the full run only).
 */
export function ratiosAndGoals(results: Pick<Results, "scenarios" | "yardsticks" | "workflowsPerNode">): Pick<Results, "ratios" | "goals"> {
	const s = results.scenarios;
	const y = results.yardsticks;
	const rps = (figures: { requestsPerSecond: number } | null | undefined) => figures?.requestsPerSecond ?? null;
	const over = (a: number | null, b: number | null) => (a === null || !b ? null : ratio(a, b));
	const post = s[SCENARIO.post50];
	const get = s[SCENARIO.getRandom];
	const inserts = rps(y[YARDSTICK.insert]);

	const figures: [string, number | null, Goal?][] = [
		[`GET by id, random over ${LARGE_TABLE} ÷ lean in-process read`, over(rps(get), rps(y[YARDSTICK.leanRead])), atLeast(0.45)],
		[
			`GET by id, random over ${LARGE_TABLE}: errors + non-2xx + answers without their workflow`,
			get.errors + get.non2xx + get.wrongAnswers,
			none,
		],
		[`POST 50 conn ÷ (raw insert ÷ ${WRITES_PER_CREATION})`, over(rps(post), inserts && inserts / WRITES_PER_CREATION), atLeast(0.7)],
		["POST 50 conn p99 (ms)", post.p99, atMost(30, " ms")],
		["POST 50 conn errors + non-2xx", post.errors + post.non2xx, none],
		["POST 1 conn p50 (ms)", s[SCENARIO.post1].p50, atMost(2, " ms")],
		[POST_10_FIGURE, rps(s[SCENARIO.post10])],
		["POST, 3 workflows nodes ÷ 1 workflows node", over(rps(post), rps(s[SCENARIO.post50OneNode])), atLeast(0.9)],
		...Object.entries(results.workflowsPerNode).map(([nodeID, n]): [string, number, Goal] => [
			`${nodeID}'s share of the workflows created in POST 50 conn (%)`,
			percentOf(n, results.workflowsPerNode),
			atLeast(25, " %"),
		]),
		[`GET by id, random over ${LARGE_TABLE} ÷ read pipeline yardstick`, over(rps(get), rps(y[YARDSTICK.readPipeline]))],
		[`list p50 latency, ${LARGE_TABLE} ÷ 1k rows`, ratio(s[SCENARIO.listLarge].p50 || 1, s[SCENARIO.list1k].p50 || 1)],
		[`GET by id, random over ${LARGE_TABLE} ÷ bare http`, over(rps(get), rps(y[YARDSTICK.bareHttp]))],
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
