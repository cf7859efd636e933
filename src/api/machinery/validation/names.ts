/**
 * Name and value checks with kube-apiserver's messages (apimachinery/pkg/util/validation). Each
 * returns the list of problems; empty means valid.
 */
import { isIP } from "node:net";

const dns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const dns1123LabelRe = new RegExp(`^${dns1123LabelFmt}$`);
const dns1123SubdomainRe = new RegExp(`^${dns1123LabelFmt}(\\.${dns1123LabelFmt})*$`);
const dns1035LabelRe = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const qualifiedNameRe = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const labelValueRe = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const cIdentifierRe = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ianaSvcNameRe = /^[-a-z0-9]+$/;
const ianaHasLetter = /[a-z]/;

/** apimachinery's RegexError, including its odd spacing: `(e.g. 'a',  or 'b', regex used …)`. */
const regexError = (msg: string, fmt: string, ...examples: string[]) =>
  `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(" or ")}regex used for validation is '${fmt}')`;

const maxLen = (n: number) => `must be no more than ${n} characters`;

export function isDNS1123Label(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push(maxLen(63));
  if (!dns1123LabelRe.test(v))
    errs.push(
      regexError(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
        dns1123LabelFmt,
        "my-name",
        "123-abc",
      ),
    );
  return errs;
}

export function isDNS1123Subdomain(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 253) errs.push(maxLen(253));
  if (!dns1123SubdomainRe.test(v))
    errs.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`,
        "example.com",
      ),
    );
  return errs;
}

export function isDNS1035Label(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push(maxLen(63));
  if (!dns1035LabelRe.test(v))
    errs.push(
      regexError(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
        "[a-z]([-a-z0-9]*[a-z0-9])?",
        "my-name",
        "abc-123",
      ),
    );
  return errs;
}

/** A path segment name (kube's ValidatePathSegmentName). */
export function isPathSegmentName(v: string): string[] {
  if (v === "." || v === "..") return [`may not be '${v}'`];
  // kube reports every illegal character, not only the first (IsValidPathSegmentName).
  return ["/", "%"].filter((bad) => v.includes(bad)).map((bad) => `may not contain '${bad}'`);
}

/** A path segment prefix (generateName): only the character rule applies. */
export function isPathSegmentPrefix(v: string): string[] {
  return ["/", "%"].filter((bad) => v.includes(bad)).map((bad) => `may not contain '${bad}'`);
}

/** A label/annotation key: an optional DNS subdomain prefix, a slash, and a name. */
export function isQualifiedName(v: string): string[] {
  const errs: string[] = [];
  const parts = v.split("/");
  let name: string;
  if (parts.length === 1) name = parts[0];
  else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) errs.push("prefix part must be non-empty");
    else for (const m of isDNS1123Subdomain(prefix)) errs.push(`prefix part ${m}`);
  } else {
    return [
      regexError(
        "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]",
        "MyName",
        "my.name",
        "123-abc",
      ) + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push("name part must be non-empty");
  else if (name.length > 63) errs.push(`name part ${maxLen(63)}`);
  if (name.length > 0 && !qualifiedNameRe.test(name))
    errs.push(
      `name part ${regexError(
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]",
        "MyName",
        "my.name",
        "123-abc",
      )}`,
    );
  return errs;
}

export function isValidLabelValue(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push(maxLen(63));
  if (!labelValueRe.test(v))
    errs.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?",
        "MyValue",
        "my_value",
        "12345",
      ),
    );
  return errs;
}

export function isCIdentifier(v: string): string[] {
  if (cIdentifierRe.test(v)) return [];
  return [
    regexError(
      "a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_'",
      "[A-Za-z_][A-Za-z0-9_]*",
      "my_name",
      "MY_NAME",
      "MyName",
    ),
  ];
}

/** A port number 1-65535. */
export function isValidPortNum(p: number): string[] {
  if (Number.isInteger(p) && p >= 1 && p <= 65535) return [];
  return ["must be between 1 and 65535, inclusive"];
}

/** An IANA service name, as used for named ports. */
export function isValidPortName(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 15) errs.push(maxLen(15));
  if (!ianaSvcNameRe.test(v))
    errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (v.includes("--")) errs.push("must not contain consecutive hyphens");
  if (v.length > 0 && !ianaHasLetter.test(v)) errs.push("must contain at least one letter (a-z)");
  if (v.startsWith("-") || v.endsWith("-")) errs.push("must not begin or end with a hyphen");
  return errs;
}

/** An IP address as kube-apiserver accepts it (IsValidIP; IPv4 octets without leading zeros). */
export function isValidIP(v: string): string[] {
  if (isIP(v) !== 0 && !/(^|\.)0\d/.test(v.includes(":") ? "" : v)) return [];
  return ["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"];
}

/** A CIDR as kube-apiserver accepts it (IsValidCIDR). */
export function isValidCIDR(v: string): string[] {
  const bad = ["must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"];
  const slash = v.indexOf("/");
  if (slash < 0) return bad;
  const ip = v.slice(0, slash);
  const bits = v.slice(slash + 1);
  const family = isIP(ip);
  if (family === 0 || isValidIP(ip).length > 0 || !/^\d{1,3}$/.test(bits)) return bad;
  return Number(bits) <= (family === 4 ? 32 : 128) ? [] : bad;
}
