// Types of scripts/build.mjs for the TypeScript that imports it (bench, tests).
import type { BuildOptions } from "esbuild";

export interface SkiffBuild {
  /** Where skiff.mjs and chunks/ go (default: dist/ of the repository). */
  outdir?: string;
  sourcemap?: boolean;
}

export function buildOptions(o?: SkiffBuild): BuildOptions & { outdir: string; metafile: true };
export function buildSkiff(o?: SkiffBuild): Promise<string>;
