import type { TableDef } from "../types.ts";

// PLACEHOLDER: replaced by the resource's real columns.
export const table: TableDef = {
  columns: [{ name: "Name", type: "string", format: "name", description: "Name", priority: 0 }],
  cells: (o) => [o.metadata.name ?? ""],
};
