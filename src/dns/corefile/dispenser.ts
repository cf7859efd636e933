/**
 * Caddy's Dispenser: a cursor over one directive's tokens (every occurrence of it in a server
 * block) that plugins' setup functions walk, and the errors they raise, which carry file:line in
 * CoreDNS's words ("Corefile:3 - Error during parsing: …").
 */
import type { Token } from "./lexer.ts";

export class CorefileError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = "CorefileError";
  }

  /** The error at a position, formatted as Caddy's Dispenser.Err. */
  static at(file: string, line: number, msg: string): CorefileError {
    return new CorefileError(`${file}:${line} - Error during parsing: ${msg}`, file, line);
  }
}

export class Dispenser {
  private cursor = -1;
  private nesting = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly fallbackFile = "Corefile",
  ) {}

  /** Move to the next token; false at the end. */
  next(): boolean {
    if (this.cursor < this.tokens.length - 1) {
      this.cursor++;
      return true;
    }
    return false;
  }

  /** Move to the next token on the same line, unless it opens a block. */
  nextArg(): boolean {
    if (this.cursor < 0) return false;
    if (this.cursor >= this.tokens.length - 1) return false;
    const cur = this.tokens[this.cursor];
    const nxt = this.tokens[this.cursor + 1];
    if (nxt.file !== cur.file || nxt.line !== cur.line + newlines(cur)) return false;
    if (isOpen(nxt)) return false;
    this.cursor++;
    return true;
  }

  /** Move to the next token if it is on a new line. */
  nextLine(): boolean {
    if (this.cursor < 0) return this.next();
    if (this.cursor >= this.tokens.length - 1) return false;
    const cur = this.tokens[this.cursor];
    const nxt = this.tokens[this.cursor + 1];
    if (nxt.file === cur.file && nxt.line === cur.line + newlines(cur)) return false;
    this.cursor++;
    return true;
  }

  /**
   * Enter or continue the block `{ … }` that follows the directive's arguments; true while there
   * is a line inside it, positioned on that line's first token.
   */
  nextBlock(): boolean {
    if (this.nesting > 0) {
      if (!this.next()) return false;
      if (isClose(this.tokens[this.cursor])) {
        this.nesting--;
        return false;
      }
      return true;
    }
    if (!this.nextArgOrBrace()) return false;
    if (!isOpen(this.tokens[this.cursor])) {
      this.cursor--;
      return false;
    }
    if (!this.next()) return false;
    if (isClose(this.tokens[this.cursor])) return false;
    this.nesting++;
    return true;
  }

  /** Like nextArg but also steps onto an opening brace on the same line. */
  private nextArgOrBrace(): boolean {
    if (this.cursor < 0 || this.cursor >= this.tokens.length - 1) return false;
    const cur = this.tokens[this.cursor];
    const nxt = this.tokens[this.cursor + 1];
    if (nxt.file !== cur.file || nxt.line !== cur.line + newlines(cur)) return false;
    this.cursor++;
    return true;
  }

  /** The current token's text ("" before the first next()). */
  val(): string {
    return this.cursor < 0 || this.cursor >= this.tokens.length ? "" : this.tokens[this.cursor].text;
  }

  line(): number {
    const t = this.tokens[Math.max(0, Math.min(this.cursor, this.tokens.length - 1))];
    return t ? t.line : 0;
  }

  file(): string {
    const t = this.tokens[Math.max(0, Math.min(this.cursor, this.tokens.length - 1))];
    return t ? t.file : this.fallbackFile;
  }

  /** The rest of the arguments on the current line. */
  remainingArgs(): string[] {
    const out: string[] = [];
    while (this.nextArg()) out.push(this.val());
    return out;
  }

  /** Fill exactly `n` arguments on this line, or return undefined. */
  args(n: number): string[] | undefined {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      if (!this.nextArg()) return undefined;
      out.push(this.val());
    }
    return out;
  }

  err(msg: string): CorefileError {
    return CorefileError.at(this.file(), this.line(), msg);
  }

  /** Caddy's ArgErr. */
  argErr(): CorefileError {
    if (this.val() === "{") return this.err("Unexpected token '{', expecting argument");
    return this.err(`Wrong argument count or unexpected line ending after '${this.val()}'`);
  }

  /** Caddy's SyntaxErr. */
  syntaxErr(expected: string): CorefileError {
    return this.err(`Syntax error: Unexpected token '${this.val()}', expecting '${expected}'`);
  }

  /** CoreDNS's common "unknown property" error for an option inside a block. */
  unknownProperty(): CorefileError {
    return this.err(`unknown property '${this.val()}'`);
  }
}

function isOpen(t: Token): boolean {
  return !t.quoted && t.text === "{";
}

function isClose(t: Token): boolean {
  return !t.quoted && t.text === "}";
}

/** Lines a quoted token spans beyond its first. */
function newlines(t: Token): number {
  if (!t.quoted) return 0;
  let n = 0;
  for (const ch of t.text) if (ch === "\n") n++;
  return n;
}
