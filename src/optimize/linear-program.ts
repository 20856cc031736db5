/**
 * A linear or mixed-integer program as plain data: what invex's optimisers build, what the
 * HiGHS adapter passes to the solver as sparse columns, and what `toLpText` writes in CPLEX
 * LP format so an independent solver (glpsol, cbc) can check the same instance.
 */
export interface Column {
  name: string;
  cost: number;
  lower: number;
  upper: number;
  kind: 'continuous' | 'integer' | 'binary';
}

export interface Row {
  name: string;
  /** A row is `lower <= sum coef x <= upper`; one side may be infinite. */
  lower: number;
  upper: number;
  columns: number[];
  coefficients: number[];
}

export class LinearProgram {
  readonly columns: Column[] = [];
  readonly rows: Row[] = [];

  constructor(readonly sense: 'maximize' | 'minimize') {}

  /** Adds a column; names matter only in LP text, which checks them (`toLpText`). */
  addColumn(column: Column): number {
    this.columns.push(column);
    return this.columns.length - 1;
  }

  addRow(name: string, terms: [column: number, coefficient: number][], lower: number, upper: number): number {
    const columns = new Array<number>(terms.length);
    const coefficients = new Array<number>(terms.length);
    for (let k = 0; k < terms.length; k++) {
      columns[k] = terms[k]![0];
      coefficients[k] = terms[k]![1];
    }
    this.rows.push({ name, lower, upper, columns, coefficients });
    return this.rows.length - 1;
  }

  /** The same rows with some columns changed (bounds fixed, integrality relaxed): rows are shared, not copied. */
  variant(change: (column: Column, index: number) => Column): LinearProgram {
    const copy = new LinearProgram(this.sense);
    this.columns.forEach((column, j) => {
      copy.columns.push(change(column, j));
    });
    for (const row of this.rows) copy.rows.push(row);
    return copy;
  }

  /**
   * The program on some of its columns and rows (columns renumbered in order, each possibly
   * changed): `index[j]` is column j's place in it, or -1. A kept row may not use a dropped column.
   */
  restrict(
    keepColumn: (column: Column, index: number) => boolean,
    keepRow: (row: Row, index: number) => boolean,
    change: (column: Column) => Column = (c) => c,
  ): { lp: LinearProgram; index: Int32Array } {
    const copy = new LinearProgram(this.sense);
    const index = new Int32Array(this.columns.length).fill(-1);
    this.columns.forEach((column, j) => {
      if (keepColumn(column, j)) {
        index[j] = copy.columns.length;
        copy.columns.push(change(column));
      }
    });
    this.rows.forEach((row, i) => {
      if (!keepRow(row, i)) return;
      const columns = row.columns.map((j) => {
        if (index[j]! < 0)
          throw new Error(`row ${row.name} uses column ${this.columns[j]!.name}, which is left out`);
        return index[j]!;
      });
      copy.rows.push({ ...row, columns });
    });
    return { lp: copy, index };
  }

  objectiveOf(values: ArrayLike<number>): number {
    let total = 0;
    this.columns.forEach((c, j) => {
      total += c.cost * values[j]!;
    });
    return total;
  }
}

const number = (x: number) => {
  if (Number.isInteger(x)) return String(x);
  return Number(x.toPrecision(15)).toString();
};

function terms(entries: [number, string][]): string {
  const parts: string[] = [];
  for (const [coefficient, name] of entries) {
    if (coefficient === 0) continue;
    const sign = coefficient < 0 ? '-' : '+';
    const magnitude = Math.abs(coefficient);
    parts.push(
      `${parts.length === 0 && sign === '+' ? '' : `${sign} `}${magnitude === 1 ? '' : `${number(magnitude)} `}${name}`,
    );
  }
  if (parts.length === 0) return '0 x_zero_';
  // Short lines: some LP readers limit a line's length.
  const lines: string[] = [];
  for (let i = 0; i < parts.length; i += 6) lines.push(parts.slice(i, i + 6).join(' '));
  return lines.join('\n   ');
}

/** CPLEX LP text of the program (two-sided rows become two rows). */
export function toLpText(lp: LinearProgram): string {
  const out: string[] = [lp.sense === 'maximize' ? 'Maximize' : 'Minimize'];
  const names = lp.columns.map((c) => c.name);
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new Error(`duplicate column name ${name}: an LP file needs each once`);
    seen.add(name);
  }
  out.push(` obj: ${terms(lp.columns.map((c, j) => [c.cost, names[j]!]))}`);
  out.push('Subject To');
  let needsZero = lp.columns.every((c) => c.cost === 0);
  for (const row of lp.rows) {
    const expression = terms(row.columns.map((j, k) => [row.coefficients[k]!, names[j]!]));
    if (row.columns.length === 0) needsZero = true;
    if (row.lower === row.upper) out.push(` ${row.name}: ${expression} = ${number(row.upper)}`);
    else {
      if (Number.isFinite(row.lower))
        out.push(
          ` ${row.name}${Number.isFinite(row.upper) ? '_lo' : ''}: ${expression} >= ${number(row.lower)}`,
        );
      if (Number.isFinite(row.upper))
        out.push(
          ` ${row.name}${Number.isFinite(row.lower) ? '_up' : ''}: ${expression} <= ${number(row.upper)}`,
        );
    }
  }
  out.push('Bounds');
  for (const c of lp.columns) {
    if (c.kind === 'binary') continue;
    const lower = Number.isFinite(c.lower) ? number(c.lower) : '-inf';
    const upper = Number.isFinite(c.upper) ? number(c.upper) : '+inf';
    out.push(` ${lower} <= ${c.name} <= ${upper}`);
  }
  if (needsZero) out.push(' x_zero_ = 0');
  const generals = lp.columns.filter((c) => c.kind === 'integer').map((c) => c.name);
  const binaries = lp.columns.filter((c) => c.kind === 'binary').map((c) => c.name);
  const list = (xs: string[]) => {
    const lines: string[] = [];
    for (let i = 0; i < xs.length; i += 10) lines.push(` ${xs.slice(i, i + 10).join(' ')}`);
    return lines;
  };
  if (generals.length > 0) out.push('Generals', ...list(generals));
  if (binaries.length > 0) out.push('Binaries', ...list(binaries));
  out.push('End', '');
  return out.join('\n');
}
