import { toCsv } from './csv';

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
    ]);
  });
});
