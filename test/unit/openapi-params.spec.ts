import { objectSchema, ruleSchema } from "../../services/api/openapi/params";
import { idRule, nameRule, pageRules, sortRule } from "../../types/validation";

// The parameters of the OpenAPI document say what the validator accepts.
describe("fastest-validator rules in JSON Schema", () => {
	it("keeps the bounds and the pattern of a name, and drops what does not show on the wire", () => {
		const description =
			"At most 200 characters as a reader counts them (grapheme clusters: an emoji or a flag is one), and at most 600 code points.";
		expect(ruleSchema(nameRule)).toEqual({ type: "string", minLength: 1, maxLength: 600, description, pattern: "^[^\\u0000]*$" });
		// As a node announces it, in JSON: the RegExp and the checker are gone, and no pattern is made up.
		expect(ruleSchema(JSON.parse(JSON.stringify(nameRule)))).toEqual({ type: "string", minLength: 1, maxLength: 600, description });
	});

	it("turns ids, pages and sorts into integers with bounds and enums", () => {
		expect(ruleSchema(idRule)).toEqual({ type: "integer", minimum: 1, maximum: 2_147_483_647 });
		expect(ruleSchema(pageRules.pageSize)).toEqual({ type: "integer", minimum: 1, maximum: 100 });
		expect(ruleSchema(sortRule(["id"]))).toEqual({ type: "string", enum: ["id", "-id"] });
		expect(ruleSchema("number|optional|min:2")).toEqual({ type: "number", minimum: 2 });
		expect(ruleSchema({ type: "custom" })).toEqual({});
	});

	it("makes a strict object of an action's params, with the required ones", () => {
		expect(objectSchema({ name: nameRule, note: { type: "string", optional: true }, $$strict: true } as never, true)).toEqual({
			type: "object",
			properties: { name: ruleSchema(nameRule), note: { type: "string" } },
			required: ["name"],
			additionalProperties: false,
		});
	});
});
