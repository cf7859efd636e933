/** The version the apiserver reports: the Kubernetes API level Skiff serves, and Skiff's own version. */
import pkg from "../../../package.json" with { type: "json" };

export const skiffVersion: string = pkg.version;
export const kubeMinor = "33";

export function versionInfo(): Record<string, string> {
  return {
    major: "1",
    minor: kubeMinor,
    emulationMajor: "1",
    emulationMinor: kubeMinor,
    minCompatibilityMajor: "1",
    minCompatibilityMinor: "32",
    gitVersion: `v1.${kubeMinor}.0+skiff-${skiffVersion}`,
    gitCommit: "",
    gitTreeState: "clean",
    buildDate: "",
    goVersion: `node${process.versions.node}`,
    compiler: "skiff",
    platform: `${process.platform}/${process.arch === "x64" ? "amd64" : process.arch}`,
  };
}
