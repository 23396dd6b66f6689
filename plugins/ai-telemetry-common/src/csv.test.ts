import { csvCell, toCsv } from './csv';

describe('toCsv', () => {
  it('writes a header and rows, quoting what needs it', () => {
    const csv = toCsv(
      ['name', 'value'],
      [
        ['plain', 1],
        ['with, comma', 2.5],
        ['with "quotes"', null],
      ],
    );
    expect(csv.split('\r\n')).toEqual([
      'name,value',
      'plain,1',
      '"with, comma",2.5',
      '"with ""quotes""",',
      '',
    ]);
  });

  it('keeps a spreadsheet from running text as a formula', () => {
    expect(
      ['=1+2', '+1', '-1', '@SUM(A1)', '\tx', '\rx', 'a=b', '=a,"b"'].map(
        csvCell,
      ),
    ).toEqual([
      "'=1+2",
      "'+1",
      "'-1",
      "'@SUM(A1)",
      "'\tx",
      `"'\rx"`,
      'a=b',
      `"'=a,""b"""`,
    ]);
  });

  it('writes numbers as Prometheus writes sample values, never as formulas', () => {
    expect(
      [-1.5, 0, NaN, Infinity, -Infinity, true, undefined].map(csvCell),
    ).toEqual(['-1.5', '0', 'NaN', '+Inf', '-Inf', 'true', '']);
  });
});
