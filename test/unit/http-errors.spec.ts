import { Errors } from "moleculer";
import { toHttpError } from "../../services/api/http-errors";

describe("toHttpError", () => {
	it("keeps a client error's status and fields", () => {
		const err = new Errors.MoleculerClientError("Send the body as application/json.", 415, "UNSUPPORTED_MEDIA_TYPE", { x: 1 });
		expect(toHttpError(err)).toEqual({
			name: "MoleculerClientError",
			message: "Send the body as application/json.",
			code: 415,
			type: "UNSUPPORTED_MEDIA_TYPE",
			data: { x: 1 },
		});
	});

	it("words a 422 from its fields' problems, without the node and action", () => {
		const err = new Errors.ValidationError("Parameters validation error!", "VALIDATION_ERROR", [
			{
				field: "status",
				message: '"status" must be one of new, running; got "done"',
				type: "enumValue",
				value: "done",
				nodeID: "n1",
				action: "a",
			},
			{ field: "colour", message: '"colour" is not a field of this request', type: "objectStrict", nodeID: "n1", action: "a" },
		]);
		expect(toHttpError(err)).toEqual({
			name: "ValidationError",
			message: '"status" must be one of new, running; got "done". "colour" is not a field of this request.',
			code: 422,
			type: "VALIDATION_ERROR",
			data: [
				{ field: "status", message: '"status" must be one of new, running; got "done"', type: "enumValue", value: "done" },
				{ field: "colour", message: '"colour" is not a field of this request', type: "objectStrict" },
			],
		});
	});

	it("reads an error rebuilt from another node by its fields", () => {
		const remote = Object.assign(new Error("Entity not found"), {
			name: "EntityNotFoundError",
			code: 404,
			type: "NOT_FOUND",
			data: { id: 3 },
		});
		expect(toHttpError(remote)).toMatchObject({ code: 404, type: "NOT_FOUND", data: { id: 3 } });
	});

	it.each([
		new Errors.ServiceNotFoundError({ action: "workflows.create" }),
		new Errors.ServiceNotAvailableError({ action: "workflows.create" }),
		new Errors.RequestTimeoutError({ action: "workflows.create", nodeID: "n1" }),
	])("answers 503 for %s, naming neither the action nor the node", err => {
		const body = toHttpError(err);
		expect(body).toMatchObject({ name: "ServiceUnavailableError", code: 503, type: "SERVICE_UNAVAILABLE" });
		expect(JSON.stringify(body)).not.toMatch(/workflows\.create|n1/);
	});

	it("maps body-parser failures to 400, 413 and 415", () => {
		expect(toHttpError(Object.assign(new SyntaxError("Unexpected token"), { status: 400, type: "entity.parse.failed" })).code).toBe(400);
		expect(toHttpError(Object.assign(new Error("too large"), { status: 413, type: "entity.too.large" })).code).toBe(413);
		expect(toHttpError(Object.assign(new Error("bad charset"), { status: 415, type: "charset.unsupported" })).code).toBe(415);
	});

	it("hides anything unexpected behind a bare 500", () => {
		const err = new Error('relation "buildings" does not exist');
		expect(toHttpError(err)).toEqual({ name: "InternalServerError", message: "Internal server error.", code: 500, type: "INTERNAL_ERROR" });
		expect(toHttpError(new Errors.MoleculerError("SQL went wrong", 500, "DATABASE_ERROR")).message).toBe("Internal server error.");
	});
});
