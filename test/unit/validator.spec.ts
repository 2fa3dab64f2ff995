import { ServiceBroker, type Context } from "moleculer";
import { FieldValidator } from "../../broker/validator";
import { nameRule } from "../../types/validation";

// The project's validator on a broker of the installed Moleculer: the `custom` name rule must
// check the value and hand the action the value itself. Moleculer 0.15 calls `custom` checkers
// with fastest-validator's new signature; a checker written for the old one let every name
// through and replaced it with `true`.
describe("the validator, on the installed Moleculer", () => {
	const broker = new ServiceBroker({ logger: false, validator: new FieldValidator() });
	const received: unknown[] = [];
	broker.createService({
		name: "names",
		actions: {
			take: {
				params: { name: nameRule, $$strict: true },
				handler(ctx: Context<{ name: unknown }>) {
					received.push(ctx.params.name);
					return ctx.params.name;
				},
			},
		},
	});
	beforeAll(() => broker.start());
	afterAll(() => broker.stop());

	const problems = (params: object) =>
		broker.call("names.take", params).then(
			() => {
				throw new Error(`${JSON.stringify(params)} was accepted`);
			},
			(err: { code: number; data: { field: string; type: string; message: string }[] }) => {
				expect(err.code).toBe(422);
				return err.data;
			},
		);

	it("hands the action the trimmed name itself", async () => {
		await expect(broker.call("names.take", { name: "  HQ  " })).resolves.toBe("HQ");
		expect(received).toEqual(["HQ"]);
	});

	it("counts a name in grapheme clusters: 200 flags pass, 201 do not", async () => {
		await expect(broker.call("names.take", { name: "🇨🇭".repeat(200) })).resolves.toBe("🇨🇭".repeat(200));
		expect(await problems({ name: "🇨🇭".repeat(201) })).toEqual([
			expect.objectContaining({ field: "name", type: "stringMax", message: '"name" must be at most 200 characters long; got 201' }),
		]);
	});

	it("refuses a name over 600 code points, though under 200 characters", async () => {
		const family = "👨‍👩‍👧‍👦"; // one character of 7 code points
		expect(await problems({ name: family.repeat(100) })).toEqual([
			expect.objectContaining({
				field: "name",
				type: "stringCodePoints",
				message: '"name" must be at most 600 Unicode code points long; got 700',
			}),
		]);
	});

	it("names an unknown field", async () => {
		expect(await problems({ name: "HQ", colour: "red" })).toEqual([
			expect.objectContaining({ field: "colour", type: "objectStrict", message: '"colour" is not a field of this request' }),
		]);
	});
});
