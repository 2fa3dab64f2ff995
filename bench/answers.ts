/**
 * What a right answer is, for the loads that check their answers' bodies: a load counts a 2xx
 * answer that is not right among its wrong answers, apart from its successes.
 */

/** The fields of an answer these checks read; anything else it holds is not looked at. */
interface BuildingAnswer {
	id?: unknown;
	workflowId?: unknown;
	workflow?: { id?: unknown; buildingId?: unknown } | null;
}

function parse(body: string): BuildingAnswer | undefined {
	try {
		const answer: unknown = JSON.parse(body);
		return typeof answer === "object" && answer !== null ? answer : undefined;
	} catch {
		return undefined;
	}
}

/** The id a path ends with (`/api/buildings/17` → 17). */
const idAsked = (path: string) => Number(/\/(\d+)$/.exec(path)?.[1]);

/** A building with its workflow embedded: the workflow it links to, made for it. */
function hasItsWorkflow(answer: BuildingAnswer): boolean {
	const { workflow } = answer;
	return typeof workflow === "object" && workflow !== null && workflow.id === answer.workflowId && workflow.buildingId === answer.id;
}

/** GET /api/buildings/:id: the building asked for, with its workflow. */
export function isBuildingAskedWithWorkflow(path: string, body: string): boolean {
	const answer = parse(body);
	return answer !== undefined && answer.id === idAsked(path) && hasItsWorkflow(answer);
}

/** A read yardstick's answer: the row of the building asked for. */
export function isBuildingAsked(path: string, body: string): boolean {
	return parse(body)?.id === idAsked(path);
}

/** POST /api/buildings: the new building with its workflow (not one left pending, answered 202). */
export function isCreatedWithWorkflow(_path: string, body: string): boolean {
	const answer = parse(body);
	return answer !== undefined && typeof answer.id === "number" && hasItsWorkflow(answer);
}
