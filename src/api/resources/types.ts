/**
 * What the apiserver knows about each served resource. One folder per resource under
 * src/api/resources/<plural>/ supplies its parts: strategy.ts (defaults, preparation,
 * validation), table.ts (server-side printing columns), fields.ts (field selectors), and index.ts
 * assembles them into a ResourceDef.
 */
import type { FieldError } from "../machinery/field-errors.ts";
import type { KubeObject } from "../machinery/types.ts";

/** Run in kube-apiserver's order: defaults → prepareFor* → validate* → store. */
export interface Strategy {
  /** SetDefaults_<Kind>: fill in omitted fields. Runs on create, update and after patches. */
  defaults?(obj: KubeObject): void;
  /** PrepareForCreate: clear what clients may not set on create (usually status). */
  prepareForCreate?(obj: KubeObject): void;
  /** PrepareForUpdate on the main resource: usually keeps the old status. */
  prepareForUpdate?(obj: KubeObject, old: KubeObject): void;
  /** Validate the object (without metadata: the server validates ObjectMeta itself). */
  validate(obj: KubeObject): FieldError[];
  /** Extra checks on update (immutable fields); runs in addition to validate. */
  validateUpdate?(obj: KubeObject, old: KubeObject): FieldError[];
  /** PrepareForUpdate on the status subresource: usually keeps the old spec. */
  prepareForStatusUpdate?(obj: KubeObject, old: KubeObject): void;
  /** Validation on status updates (absent: validate). */
  validateStatusUpdate?(obj: KubeObject, old: KubeObject): FieldError[];
}

/** One Table column as metav1.TableColumnDefinition. */
export interface TableColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  format: string;
  description: string;
  /** 0: always shown; 1: only with -o wide. */
  priority: number;
}

export interface TableDef {
  columns: TableColumn[];
  /** The row's cells, one per column, for this object at time now. */
  cells(obj: KubeObject, now: Date): Array<string | number | boolean | null>;
}

/** Supported field selector fields (beyond metadata.name and metadata.namespace, which every kind has). */
export type FieldGetters = Record<string, (obj: KubeObject) => string>;

/** "none": the kind's strategy checks the name itself (e.g. IPAddress names are IPs). */
export type NameRule = "dns1123Subdomain" | "dns1123Label" | "dns1035Label" | "pathSegment" | "none";

export interface ScaleDef {
  /** Paths (dotted) of the replica counts and selector in the parent object. */
  specReplicas: string;
  statusReplicas: string;
  /** "label" for a LabelSelector (apps), "map" for a plain selector map (replicationcontrollers). */
  selectorStyle: "label" | "map";
}

/** A subresource served by dedicated code (pods/binding, namespaces/finalize …), listed in discovery. */
export interface OtherSubresource {
  name: string;
  /** The kind it takes and answers with, in the parent's group and version. */
  kind: string;
  verbs: string[];
}

export interface ResourceDef {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  subresources: { status?: boolean; scale?: ScaleDef; others?: OtherSubresource[] };
  /** How metadata.name is validated (kube's ValidateNameFunc per kind). */
  nameRule: NameRule;
  strategy: Strategy;
  table: TableDef;
  fields: FieldGetters;
  /** Kinds without spec/status split (configmaps, secrets…): generation is not tracked. */
  tracksGeneration: boolean;
}

export function groupVersion(d: Pick<ResourceDef, "group" | "version">): string {
  return d.group ? `${d.group}/${d.version}` : d.version;
}
