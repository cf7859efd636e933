/**
 * The Caddyfile parser as CoreDNS uses it: server blocks `KEY [KEY…] { directives }` (a single
 * block may omit the braces), snippets `(name) { … }`, `import snippet|glob` at top level and
 * among directives, `{$ENV}` substitution, directives checked against the known set at parse
 * time. Each directive keeps all its tokens (nested blocks included) for its Dispenser.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join } from "node:path";
import { CorefileError } from "./dispenser.ts";
import { replaceEnv, type Token, tokenize } from "./lexer.ts";

export interface Directive {
  name: string;
  /** The directive token, its arguments and any nested block, across all its occurrences. */
  tokens: Token[];
}

export interface ServerBlock {
  /** Keys as written (after env substitution), e.g. ".:53", "example.org", "10.0.0.0/24". */
  keys: Token[];
  /** Directives in the order first seen; a directive used twice keeps both occurrences. */
  directives: Directive[];
}

export interface ParseOptions {
  /** The file name errors mention (CoreDNS prints the path it was given; "Corefile" by default). */
  file?: string;
  env?: Record<string, string | undefined>;
  /** Whether a directive name exists; unknown ones are parse errors. */
  isDirective?: (name: string) => boolean;
  /** Reads an imported file (tests may stub the file system). */
  readFile?: (path: string) => string;
  /** Expands an import pattern relative to the importing file's folder. */
  glob?: (pattern: string) => string[];
}

const MAX_IMPORT_DEPTH = 32;

export function parseCorefile(input: string, opts: ParseOptions = {}): ServerBlock[] {
  const file = opts.file ?? "Corefile";
  return new Parser(tokenize(input, file), file, opts).parse();
}

class Parser {
  private cursor = -1;
  private readonly snippets = new Map<string, Token[]>();
  private readonly env: Record<string, string | undefined>;
  private importDepth = 0;

  constructor(
    private tokens: Token[],
    private readonly file: string,
    private readonly opts: ParseOptions,
  ) {
    this.env = opts.env ?? process.env;
  }

  parse(): ServerBlock[] {
    const blocks: ServerBlock[] = [];
    while (this.next()) {
      const snippet = this.snippetName();
      if (snippet !== undefined) {
        this.defineSnippet(snippet);
        continue;
      }
      const block = this.serverBlock();
      if (block) blocks.push(block);
    }
    return blocks;
  }

  private next(): boolean {
    if (this.cursor < this.tokens.length - 1) {
      this.cursor++;
      return true;
    }
    this.cursor = this.tokens.length;
    return false;
  }

  private tok(): Token {
    return this.tokens[Math.min(this.cursor, this.tokens.length - 1)];
  }

  private val(): string {
    return this.cursor >= 0 && this.cursor < this.tokens.length ? this.tokens[this.cursor].text : "";
  }

  private isOpen(): boolean {
    const t = this.tokens[this.cursor];
    return t !== undefined && !t.quoted && t.text === "{";
  }

  private isClose(): boolean {
    const t = this.tokens[this.cursor];
    return t !== undefined && !t.quoted && t.text === "}";
  }

  /** The current token starts a new line (or a new file). */
  private isNewLine(): boolean {
    if (this.cursor <= 0) return true;
    const prev = this.tokens[this.cursor - 1];
    const cur = this.tokens[this.cursor];
    return prev.file !== cur.file || prev.line + lineBreaks(prev) < cur.line;
  }

  private err(msg: string): CorefileError {
    const t = this.tok();
    return CorefileError.at(t ? t.file : this.file, t ? t.line : 0, msg);
  }

  private eofErr(): CorefileError {
    return this.err("Unexpected EOF");
  }

  private snippetName(): string | undefined {
    const t = this.tokens[this.cursor];
    if (t.quoted || !this.isNewLine()) return undefined;
    const m = /^\((.+)\)$/.exec(t.text);
    return m ? m[1] : undefined;
  }

  private defineSnippet(name: string): void {
    if (this.snippets.has(name)) throw this.err(`redeclaration of previously declared snippet ${name}`);
    if (!this.next() || !this.isOpen())
      throw this.err(`Syntax error: Unexpected token '${this.val()}', expecting '{'`);
    const body: Token[] = [];
    let nesting = 1;
    while (this.next()) {
      if (this.isOpen()) nesting++;
      else if (this.isClose()) {
        nesting--;
        if (nesting === 0) break;
      }
      body.push(this.tokens[this.cursor]);
    }
    if (nesting > 0) throw this.eofErr();
    this.snippets.set(name, body);
  }

  /** Keys, then the block's directives; undefined when an import consumed the rest. */
  private serverBlock(): ServerBlock | undefined {
    const keys: Token[] = [];
    let expectingAnother = false;
    let eof = false;
    for (;;) {
      const t = this.tokens[this.cursor];
      const text = replaceEnv(t.text, this.env);
      if (text === "import" && !t.quoted && this.isNewLine() && keys.length === 0) {
        this.doImport();
        if (!this.next()) return undefined;
        continue;
      }
      if (this.isClose()) throw this.err("Unexpected '}' because no matching opening brace");
      if (this.isOpen()) {
        if (expectingAnother)
          throw this.err(`Expected another address but had '${text}' - check for extra comma`);
        break;
      }
      if (text !== "") {
        for (const part of text.split(",")) {
          if (part !== "") keys.push({ ...t, text: part });
        }
        expectingAnother = text.endsWith(",");
      }
      const hasNext = this.next();
      if (expectingAnother && !hasNext) throw this.eofErr();
      if (!hasNext) {
        eof = true;
        break;
      }
      if (!expectingAnother && this.isNewLine()) break;
    }
    const block: ServerBlock = { keys, directives: [] };
    if (eof) return block;
    const braced = this.isOpen();
    if (!braced) this.cursor--;
    this.directives(block, braced);
    return block;
  }

  private directives(block: ServerBlock, braced: boolean): void {
    while (this.next()) {
      if (this.isClose()) {
        if (braced) return;
        throw this.err("Unexpected '}' because no matching opening brace");
      }
      if (this.val() === "import" && !this.tokens[this.cursor].quoted) {
        this.doImport();
        continue;
      }
      this.directive(block);
    }
    if (braced) throw this.eofErr();
  }

  private directive(block: ServerBlock): void {
    const start = this.tokens[this.cursor];
    const name = start.text;
    if (this.opts.isDirective && !this.opts.isDirective(name)) throw this.err(`Unknown directive '${name}'`);
    let d = block.directives.find((x) => x.name === name);
    if (!d) {
      d = { name, tokens: [] };
      block.directives.push(d);
    }
    d.tokens.push(start);
    let nesting = 0;
    while (this.next()) {
      if (this.isOpen()) nesting++;
      else if (this.isNewLine() && nesting === 0) {
        this.cursor--;
        break;
      } else if (this.isClose() && nesting > 0) nesting--;
      else if (this.isClose() && nesting === 0)
        throw this.err("Unexpected '}' because no matching opening brace");
      const t = this.tokens[this.cursor];
      d.tokens.push(t.quoted ? t : { ...t, text: replaceEnv(t.text, this.env) });
    }
    if (nesting > 0) throw this.eofErr();
  }

  /** Replace `import X` (current token is `import`) with the snippet's or files' tokens. */
  private doImport(): void {
    const at = this.cursor;
    const importTok = this.tokens[at];
    const argTok = this.tokens[at + 1];
    if (!argTok || argTok.file !== importTok.file || argTok.line !== importTok.line) {
      throw this.err("Wrong argument count or unexpected line ending after 'import'");
    }
    this.cursor = at + 1;
    const pattern = replaceEnv(argTok.text, this.env);
    if (pattern === "") throw this.err("Import requires a non-empty filepath");
    const extra = this.tokens[at + 2];
    if (extra && extra.file === argTok.file && extra.line === argTok.line) {
      this.cursor = at + 2;
      throw this.err("Import takes only one argument (glob pattern or file)");
    }
    if (++this.importDepth > MAX_IMPORT_DEPTH)
      throw this.err("Maximum import depth exceeded (import cycle?)");
    let imported: Token[];
    const snippet = this.snippets.get(pattern);
    if (snippet) imported = snippet;
    else imported = this.importFiles(pattern, argTok.file);
    this.tokens = [...this.tokens.slice(0, at), ...imported, ...this.tokens.slice(at + 2)];
    this.cursor = at - 1;
  }

  private importFiles(pattern: string, fromFile: string): Token[] {
    const base = dirname(fromFile);
    const full = isAbsolute(pattern) ? pattern : join(base, pattern);
    const files = (this.opts.glob ?? globFiles)(full);
    if (files.length === 0) {
      if (!/[*?[]/.test(pattern)) throw this.err(`File to import not found: ${pattern}`);
      return [];
    }
    const read = this.opts.readFile ?? ((p: string) => readFileSync(p, "utf8"));
    const out: Token[] = [];
    for (const f of files) {
      let text: string;
      try {
        text = read(f);
      } catch (e) {
        throw this.err(`Could not read imported file ${f}: ${(e as Error).message}`);
      }
      out.push(...tokenize(text, f));
    }
    return out;
  }
}

function lineBreaks(t: Token): number {
  if (!t.quoted) return 0;
  let n = 0;
  for (const ch of t.text) if (ch === "\n") n++;
  return n;
}

/** Glob over the last path element only (`*`, `?`, `[…]`), as filepath.Glob does for one dir. */
export function globFiles(pattern: string): string[] {
  const dir = dirname(pattern);
  const name = basename(pattern);
  if (!/[*?[]/.test(name)) {
    try {
      return statSync(pattern).isFile() ? [pattern] : [];
    } catch {
      return [];
    }
  }
  const re = new RegExp(
    `^${name
      .replace(/[.+^${}()|\\]/g, "\\$&")
      .replace(/\*/g, "[^/]*")
      .replace(/\?/g, "[^/]")}$`,
  );
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => re.test(n) && !n.startsWith("."))
    .sort()
    .map((n) => join(dir, n))
    .filter((p) => statSync(p).isFile());
}
