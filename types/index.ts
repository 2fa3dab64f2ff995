export * from "./building";
export * from "./workflow";
export * from "./page";
export * from "./http";
export * from "./cluster";
