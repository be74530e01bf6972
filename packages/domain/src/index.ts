export * from "./business-types";
export * from "./calendar";
export * from "./validators";
