import type { Errors, ServiceBroker } from "moleculer";

/** `call` an action on a broker, or get the error a call that must fail rejects with. */
export function caller(broker: () => ServiceBroker) {
	const call = <T>(action: string, params: object) => broker().call<T, object>(action, params);
	const rejection = (action: string, params: object) =>
		call(action, params).then(
			() => {
				throw new Error(`${action} should have failed`);
			},
			(err: Errors.MoleculerError) => err,
		);
	return { call, rejection };
}
