import { runStoreConformance } from "../conformance.ts";
import { MemoryStore } from "./memory-store.ts";

runStoreConformance("memory", () => new MemoryStore());
