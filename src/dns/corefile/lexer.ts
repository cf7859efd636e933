/**
 * The Caddyfile lexer CoreDNS uses: tokens are separated by whitespace, a `"` at the start of a
 * token quotes it up to the next unescaped `"` (newlines allowed), `#` at the start of a token
 * comments out the rest of the line. Braces are only tokens when surrounded by whitespace.
 */

export interface Token {
  text: string;
  file: string;
  /** Line the token starts on (1-based). */
  line: number;
  /** Written in quotes: never a brace, never a comment. */
  quoted: boolean;
}

export function tokenize(input: string, file: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  const n = input.length;
  while (i < n) {
    const ch = input[i];
    if (ch === "\n") {
      line++;
      i++;
      continue;
    }
    if (ch === " " || ch === "\t" || ch === "\r" || ch === "\f" || ch === "\v") {
      i++;
      continue;
    }
    if (ch === "#") {
      while (i < n && input[i] !== "\n") i++;
      continue;
    }
    const start = line;
    if (ch === '"') {
      let text = "";
      i++;
      while (i < n && input[i] !== '"') {
        if (input[i] === "\\" && input[i + 1] === '"') {
          text += '"';
          i += 2;
          continue;
        }
        if (input[i] === "\n") line++;
        text += input[i];
        i++;
      }
      i++; // the closing quote (or the end of input)
      tokens.push({ text, file, line: start, quoted: true });
      continue;
    }
    let text = "";
    while (i < n && !/\s/.test(input[i])) {
      text += input[i];
      i++;
    }
    tokens.push({ text, file, line: start, quoted: false });
  }
  return tokens;
}

const ENV = /\{\$([^{}$]+)\}|\{%([^{}%]+)%\}/g;

/** Caddy's replaceEnvVars: `{$NAME}` and `{%NAME%}` become the variable's value, or "". */
export function replaceEnv(text: string, env: Record<string, string | undefined>): string {
  if (!text.includes("{")) return text;
  return text.replace(
    ENV,
    (_, a: string | undefined, b: string | undefined) => env[(a ?? b) as string] ?? "",
  );
}
