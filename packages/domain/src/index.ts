export * from "./business-types";
export * from "./calendar";
export * from "./fees";
export * from "./orders";
export * from "./validators";
export * from "./materials";
