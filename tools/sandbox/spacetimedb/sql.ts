// The slice of SpacetimeDB SQL a load test uses, with the host's error texts:
//   HTTP /sql:         SELECT * | col {, col} | COUNT(*) AS n  FROM t [WHERE pred] [LIMIT n]
//   subscriptions and one-off queries: SELECT * | t.* FROM t [WHERE pred]
// pred is `col op literal` joined by AND / OR with parentheses; op is = != <> < > <= >=.
// ORDER BY is rejected everywhere ("Unsupported: <query>"), LIMIT outside HTTP SQL.
import { TABLE_BY_NAME, type Column, type Row, type TableDef, type Value } from './module.ts';
import type { Store } from './store.ts';

export class SqlError extends Error {}

type Tok = { k: 'id'; v: string; upper: string; quoted: boolean } | { k: 'str'; v: string } | { k: 'num'; v: number; text: string } | { k: 'sym'; v: string };

function tokenize(sql: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r') {
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_]/.test(sql[j])) j++;
      const v = sql.slice(i, j);
      toks.push({ k: 'id', v, upper: v.toUpperCase(), quoted: false });
      i = j;
    } else if (c === '"') {
      const j = sql.indexOf('"', i + 1);
      if (j < 0) throw new SqlError(`sql parser error: Unterminated string literal at position ${i}`);
      const v = sql.slice(i + 1, j);
      toks.push({ k: 'id', v, upper: '', quoted: true });
      i = j + 1;
    } else if (c === "'") {
      let j = i + 1;
      let v = '';
      for (;;) {
        if (j >= n) throw new SqlError(`sql parser error: Unterminated string literal at position ${i}`);
        if (sql[j] === "'") {
          if (sql[j + 1] === "'") {
            v += "'";
            j += 2;
            continue;
          }
          break;
        }
        v += sql[j++];
      }
      toks.push({ k: 'str', v });
      i = j + 1;
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(sql[i + 1] ?? '') && expectsOperand(toks))) {
      let j = i + 1;
      while (j < n && /[0-9.]/.test(sql[j])) j++;
      const text = sql.slice(i, j);
      toks.push({ k: 'num', v: Number(text), text });
      i = j;
    } else {
      const two = sql.slice(i, i + 2);
      if (two === '<=' || two === '>=' || two === '!=' || two === '<>') {
        toks.push({ k: 'sym', v: two });
        i += 2;
      } else if ('*,().=<>;'.includes(c)) {
        toks.push({ k: 'sym', v: c });
        i++;
      } else {
        throw new SqlError(`sql parser error: Expected an SQL statement, found: ${c}`);
      }
    }
  }
  return toks;
}

function expectsOperand(toks: Tok[]): boolean {
  const last = toks[toks.length - 1];
  return !last || (last.k === 'sym' && last.v !== ')' && last.v !== '*') || (last.k === 'id' && !last.quoted && KEYWORDS.has(last.upper));
}

const KEYWORDS = new Set(['SELECT', 'FROM', 'WHERE', 'AND', 'OR', 'ORDER', 'BY', 'LIMIT', 'AS', 'JOIN', 'NOT']);

export type Op = '=' | '!=' | '<' | '>' | '<=' | '>=';
export type Pred = { k: 'cmp'; col: number; op: Op; value: Value } | { k: 'and' | 'or'; l: Pred; r: Pred };

export interface Select {
  text: string;
  table: TableDef;
  /** null = every column (SELECT * / t.*). */
  columns: number[] | null;
  count: { alias: string } | null;
  where: Pred | null;
  limit: number | null;
  orderBy: boolean;
  test: ((row: Row) => boolean) | null;
  /** Value of a top-level `pk = literal` conjunct, used to index subscriptions. */
  pkEq: string | null;
}

class Parser {
  private pos = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly text: string,
  ) {}

  private peek(): Tok | undefined {
    return this.toks[this.pos];
  }
  private next(): Tok | undefined {
    return this.toks[this.pos++];
  }
  private isKw(word: string, tok = this.peek()): boolean {
    return !!tok && tok.k === 'id' && !tok.quoted && tok.upper === word;
  }
  private isSym(sym: string, tok = this.peek()): boolean {
    return !!tok && tok.k === 'sym' && tok.v === sym;
  }
  private fail(expected: string): never {
    const tok = this.peek();
    const found = tok ? (tok.k === 'str' ? `'${tok.v}'` : tok.k === 'num' ? tok.text : tok.v) : 'EOF';
    throw new SqlError(`sql parser error: Expected ${expected}, found: ${found}`);
  }
  private ident(what: string): string {
    const tok = this.next();
    if (tok?.k !== 'id' || (!tok.quoted && KEYWORDS.has(tok.upper))) {
      this.pos--;
      this.fail(what);
    }
    return tok.v;
  }

  parseSelect(): Select {
    if (!this.peek()) throw new SqlError('Empty SQL query');
    if (!this.isKw('SELECT')) {
      const first = this.peek();
      if (first && first.k === 'id' && ['INSERT', 'UPDATE', 'DELETE', 'SET', 'SHOW'].includes(first.upper)) {
        throw new SqlError(`Unsupported: ${first.upper} statements are not served by the sandbox`);
      }
      this.fail('an SQL statement');
    }
    this.next();
    // Projection.
    let star = false;
    let starQualifier: string | null = null;
    let count: { alias: string } | null = null;
    const projCols: string[] = [];
    if (this.isSym('*')) {
      this.next();
      star = true;
    } else if (this.isKw('COUNT')) {
      this.next();
      if (!this.isSym('(')) this.fail('(');
      this.next();
      if (!this.isSym('*')) this.fail('*');
      this.next();
      if (!this.isSym(')')) this.fail(')');
      this.next();
      if (!this.isKw('AS')) throw new SqlError('Aggregate expressions must have column aliases');
      this.next();
      count = { alias: this.ident('an identifier') };
    } else {
      for (;;) {
        const first = this.ident('an expression');
        if (this.isSym('.')) {
          this.next();
          if (this.isSym('*')) {
            this.next();
            star = true;
            starQualifier = first;
            break;
          }
          projCols.push(this.ident('an identifier'));
        } else {
          projCols.push(first);
        }
        if (!this.isSym(',')) break;
        this.next();
      }
    }
    if (!this.isKw('FROM')) {
      if (!this.peek()) throw new SqlError('A FROM clause is required');
      this.fail('end of statement');
    }
    this.next();
    const tableName = this.ident('identifier');
    let alias: string | null = null;
    if (this.isKw('AS')) {
      this.next();
      alias = this.ident('an identifier');
    } else {
      const tok = this.peek();
      if (tok && tok.k === 'id' && (tok.quoted || !KEYWORDS.has(tok.upper))) alias = this.ident('an identifier');
    }
    if (this.isKw('JOIN') || this.isSym(',')) {
      throw new SqlError(`Unsupported: ${this.queryText()} (the sandbox serves single-table queries only)`);
    }
    const table = TABLE_BY_NAME.get(tableName);
    if (!table) throw new SqlError(`\`${tableName}\` is not a valid table`);
    const scope = alias ?? tableName;
    if (starQualifier !== null && starQualifier !== scope) throw new SqlError(`\`${starQualifier}\` is not in scope`);

    let where: Pred | null = null;
    if (this.isKw('WHERE')) {
      this.next();
      where = this.parseOr(table, scope);
    }
    let orderBy = false;
    if (this.isKw('ORDER')) {
      this.next();
      if (!this.isKw('BY')) this.fail('BY');
      this.next();
      orderBy = true;
      // Consume `col [ASC|DESC] {, col [ASC|DESC]}`; the query is rejected afterwards anyway.
      while (this.peek() && !this.isKw('LIMIT') && !this.isSym(';')) this.next();
    }
    let limit: number | null = null;
    if (this.isKw('LIMIT')) {
      this.next();
      const tok = this.next();
      if (tok?.k !== 'num' || !Number.isInteger(tok.v) || tok.v < 0) {
        this.pos--;
        this.fail('literal int');
      }
      limit = tok.v;
    }
    if (this.isSym(';')) {
      this.next();
      if (this.peek()) throw new SqlError('Multiple SQL statements are not supported');
    }
    if (this.peek()) this.fail('end of statement');

    let columns: number[] | null = null;
    if (!star && !count) {
      columns = projCols.map((name) => {
        const index = table.columnIndex.get(name);
        if (index === undefined) throw new SqlError(`\`${scope}\` does not have a field \`${name}\``);
        return index;
      });
    }
    return {
      text: this.text,
      table,
      columns,
      count,
      where,
      limit,
      orderBy,
      test: where ? compile(where) : null,
      pkEq: where ? findPkEq(where, table) : null,
    };
  }

  queryText(): string {
    return this.text.trim().replace(/;\s*$/, '');
  }

  private parseOr(table: TableDef, scope: string): Pred {
    let left = this.parseAnd(table, scope);
    while (this.isKw('OR')) {
      this.next();
      left = { k: 'or', l: left, r: this.parseAnd(table, scope) };
    }
    return left;
  }

  private parseAnd(table: TableDef, scope: string): Pred {
    let left = this.parseCmp(table, scope);
    while (this.isKw('AND')) {
      this.next();
      left = { k: 'and', l: left, r: this.parseCmp(table, scope) };
    }
    return left;
  }

  private parseCmp(table: TableDef, scope: string): Pred {
    if (this.isSym('(')) {
      this.next();
      const inner = this.parseOr(table, scope);
      if (!this.isSym(')')) this.fail(')');
      this.next();
      return inner;
    }
    const left = this.operand(table, scope);
    const opTok = this.next();
    if (opTok?.k !== 'sym' || !['=', '!=', '<>', '<', '>', '<=', '>='].includes(opTok.v)) {
      this.pos--;
      this.fail('a comparison operator');
    }
    let op = (opTok.v === '<>' ? '!=' : opTok.v) as Op;
    const right = this.operand(table, scope);
    let col: Column & { index: number };
    let lit: Tok;
    if ('index' in left && !('index' in right)) {
      col = left;
      lit = right;
    } else if (!('index' in left) && 'index' in right) {
      col = right;
      lit = left;
      op = FLIP[op];
    } else {
      throw new SqlError('Unsupported: comparisons must be between a column and a literal in the sandbox');
    }
    const value = literal(lit, col);
    if (col.type === 'Bool' && op !== '=' && op !== '!=') throw new SqlError(`Invalid binary operator \`${op}\` for type \`Bool\``);
    return { k: 'cmp', col: col.index, op, value };
  }

  private operand(table: TableDef, scope: string): (Column & { index: number }) | Tok {
    const tok = this.next();
    if (!tok) this.fail('an expression');
    if (tok.k === 'id' && !(tok.quoted === false && (tok.upper === 'TRUE' || tok.upper === 'FALSE'))) {
      let name = tok.v;
      if (this.isSym('.')) {
        this.next();
        if (name !== scope) throw new SqlError(`\`${name}\` is not in scope`);
        name = this.ident('an identifier');
      }
      const index = table.columnIndex.get(name);
      if (index === undefined) throw new SqlError(`\`${scope}\` does not have a field \`${name}\``);
      return { ...table.columns[index], index };
    }
    if (tok.k === 'sym') {
      this.pos--;
      this.fail('an expression');
    }
    return tok;
  }
}

const FLIP: Record<Op, Op> = { '=': '=', '!=': '!=', '<': '>', '>': '<', '<=': '>=', '>=': '<=' };

function literal(tok: Tok, col: Column): Value {
  const text = tok.k === 'str' ? tok.v : tok.k === 'num' ? tok.text : tok.v;
  const bad = () => new SqlError(`The literal expression \`${text}\` cannot be parsed as type \`${col.type}\``);
  switch (col.type) {
    case 'String':
      if (tok.k !== 'str') throw bad();
      return tok.v;
    case 'Bool':
      if (tok.k !== 'id') throw bad();
      return tok.upper === 'TRUE';
    case 'I64':
    case 'I32': {
      if (tok.k !== 'num' || !Number.isInteger(tok.v)) throw bad();
      const limit = col.type === 'I32' ? 2 ** 31 : 2 ** 63;
      if (tok.v < -limit || tok.v >= limit) throw bad();
      return tok.v;
    }
  }
}

function compile(pred: Pred): (row: Row) => boolean {
  switch (pred.k) {
    case 'and': {
      const l = compile(pred.l);
      const r = compile(pred.r);
      return (row) => l(row) && r(row);
    }
    case 'or': {
      const l = compile(pred.l);
      const r = compile(pred.r);
      return (row) => l(row) || r(row);
    }
    case 'cmp': {
      const { col, value } = pred;
      switch (pred.op) {
        case '=':
          return (row) => row[col] === value;
        case '!=':
          return (row) => row[col] !== value;
        case '<':
          return (row) => row[col] < value;
        case '>':
          return (row) => row[col] > value;
        case '<=':
          return (row) => row[col] <= value;
        case '>=':
          return (row) => row[col] >= value;
      }
    }
  }
}

function findPkEq(pred: Pred, table: TableDef): string | null {
  if (pred.k === 'cmp') return pred.col === table.pk && pred.op === '=' ? (pred.value as string) : null;
  if (pred.k === 'and') return findPkEq(pred.l, table) ?? findPkEq(pred.r, table);
  return null;
}

/** Parses a query for the HTTP /sql endpoint: ORDER BY rejected, LIMIT / projections / COUNT(*) allowed. */
export function parseSql(text: string): Select {
  const parser = new Parser(tokenize(text), text);
  const select = parser.parseSelect();
  if (select.orderBy) throw new SqlError(`Unsupported: ${parser.queryText()}`);
  return select;
}

/** Parses a subscription or one-off query: `SELECT * FROM t [WHERE ...]` only. */
export function parseSubscription(text: string): Select {
  const parser = new Parser(tokenize(text), text);
  const select = parser.parseSelect();
  if (select.orderBy || select.limit !== null) throw new SqlError(`Unsupported: ${parser.queryText()}`);
  if (select.columns !== null || select.count !== null) {
    throw new SqlError('Column projections are not supported in subscriptions; Subscriptions must return a table type');
  }
  return select;
}

/** Rows matching a select's table and WHERE (primary-key equality is a direct lookup). */
export function matchingRows(store: Store, select: Select): Row[] {
  const rows = store.rows(select.table);
  const out: Row[] = [];
  const limit = select.count ? Infinity : (select.limit ?? Infinity);
  if (limit === 0) return out;
  if (select.pkEq !== null) {
    const row = rows.get(select.pkEq);
    if (row && (!select.test || select.test(row))) out.push(row);
    return out;
  }
  const test = select.test;
  for (const row of rows.values()) {
    if (!test || test(row)) {
      out.push(row);
      if (out.length >= limit) break;
    }
  }
  return out;
}
