export * from "./building";
export * from "./workflow";
export * from "./page";
