export * from "./business-types";
export * from "./calendar";
export * from "./fees";
export * from "./items";
export * from "./materials";
export * from "./orders";
export * from "./validators";
export * from "./validity";
